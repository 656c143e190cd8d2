#!/usr/bin/env node
// ews_managed_api.js - a second real EWS client for the fake EWS server: the npm port
// of Microsoft's EWS Managed API (ews-javascript-api), run beside exchangelib by
// tests/fakes/ews_managed_api.bats.
//
//   node tests/clients/ews_managed_api.js STEP [ARG...] [+ STEP [ARG...]]...
//
// Steps joined by "+" run in one process (loading the API takes about two
// seconds); an argument "@id" or "@state" is the "id" or "state" of the last
// step that gave one. Each step prints one JSON line on stdout; the first that
// fails prints {"error": its EWS error code, or the message} and the run exits 1.
//
// Who and where come from the environment, the password from a file (never from
// the command line or the environment itself):
//   EWSJS_URL          the EWS endpoint
//   EWSJS_AUTH         basic | ntlm
//   EWSJS_USER         the account (svc-oisync, FIRM\svc-oisync, ...)
//   EWSJS_SECRET_FILE  a file holding its password (one line)
//   EWSJS_ACCESS       impersonation (the ExchangeImpersonation header) | delegate
//                      (folders named by FolderId with a Mailbox, no header)
//   EWSJS_MAILBOX      the mailbox to open
//
// Steps:
//   create-contact GIVEN SURNAME   a contact with company, e-mail, phone and the
//                                  birthday 1990-12-10T12:00:00Z: {"id", "change_key"}
//   read-contact ID                Contact.Bind: its fields, the birthday as parsed
//                                  ("birthday") and as sent ("raw_birthday")
//   update-contact ID COMPANY      set CompanyName, and JobTitle "Partner"
//   delete-contact ID              DeleteMode.MoveToDeletedItems
//   sync [STATE]                   SyncFolderItems on the contacts folder, every page:
//                                  {"state", "pages", "changes": [{type, id, given}]}
//   create-meeting SUBJECT START END  bob as required attendee; START/END RFC 3339
//   calendar-view START END        FindAppointments (a CalendarView) on the calendar
//   mark NAME                      no request: {"mark": NAME}, so that a caller that
//                                  runs the steps of several checks in one process
//                                  can tell whose lines follow
'use strict';

const fs = require('fs');
const http = require('http');
const ews = require('ews-javascript-api');
const { XhrApi } = require('@ewsjs/xhr');

const {
  ExchangeService, ExchangeVersion, WebCredentials, Uri, ImpersonatedUserId,
  ConnectingIdType, FolderId, WellKnownFolderName, Mailbox, Contact, ItemId,
  EmailAddress, EmailAddressKey, PhoneNumberKey, DateTime, DateTimeKind,
  ConflictResolutionMode, DeleteMode, PropertySet, BasePropertySet, ContactSchema,
  ItemSchema, AppointmentSchema, SyncFolderItemsScope, ChangeType, Appointment,
  SendInvitationsMode, CalendarView, TimeZoneInfo, ServiceError,
} = ews;

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

// The reply bodies, so that a step can show what the server sent on the wire:
// the API parses date-times into objects, which would hide their form.
const replies = [];

function recording(inner) {
  return {
    get apiName() { return inner.apiName; },
    async xhr(options, progress) {
      try {
        const r = await inner.xhr(options, progress);
        replies.push(r.responseText || '');
        return r;
      } catch (e) {
        if (e && e.responseText) replies.push(e.responseText);
        throw e;
      }
    },
    xhrStream(options, progress) { return inner.xhrStream(options, progress); },
    disconnect() { return inner.disconnect(); },
  };
}

function service() {
  const auth = env('EWSJS_AUTH');
  const user = env('EWSJS_USER');
  const password = fs.readFileSync(env('EWSJS_SECRET_FILE'), 'utf8').replace(/\r?\n$/, '');
  // Times are UTC on both sides: the zone of the machine running the test must not
  // move them.
  const svc = new ExchangeService(ExchangeVersion.Exchange2016, TimeZoneInfo.Utc);
  svc.Url = new Uri(env('EWSJS_URL'));
  // The API wants credentials even when NTLM replaces their Basic header.
  svc.Credentials = new WebCredentials(user, password);
  // NTLM authenticates a connection: its NEGOTIATE (a GET) and AUTHENTICATE (the
  // POST) must share one. Node 19+ keeps connections alive by default, Node 18
  // (Debian 12's) does not, so the client brings its own keep-alive agent.
  const xhr = new XhrApi({ httpAgent: new http.Agent({ keepAlive: true }) });
  if (auth === 'ntlm') xhr.useNtlmAuthentication(user, password);
  else if (auth !== 'basic') throw new Error(`EWSJS_AUTH must be basic or ntlm, not ${auth}`);
  svc.XHRApi = recording(xhr);
  const access = env('EWSJS_ACCESS');
  if (access === 'impersonation') {
    svc.ImpersonatedUserId = new ImpersonatedUserId(ConnectingIdType.SmtpAddress,
      env('EWSJS_MAILBOX'));
  } else if (access !== 'delegate') {
    throw new Error(`EWSJS_ACCESS must be impersonation or delegate, not ${access}`);
  }
  return svc;
}

// A folder of the mailbox: by name alone when impersonating (the header says whose),
// with the mailbox when a delegate opens someone else's.
function folder(name) {
  if (process.env.EWSJS_ACCESS === 'delegate') {
    return new FolderId(name, new Mailbox(env('EWSJS_MAILBOX')));
  }
  return new FolderId(name);
}

function utc(s) {
  return new DateTime(s, DateTimeKind.Utc);
}

function iso(dt) {
  return dt ? dt.ToISOString() : null;
}

// The text of the last <t:NAME> in the last reply.
function rawElement(name) {
  const body = replies[replies.length - 1] || '';
  const all = [...body.matchAll(new RegExp(`<t:${name}>([^<]*)</t:${name}>`, 'g'))];
  return all.length ? all[all.length - 1][1] : null;
}

const steps = {
  async 'create-contact'(svc, given, surname) {
    const c = new Contact(svc);
    c.GivenName = given;
    c.Surname = surname;
    c.DisplayName = `${given} ${surname}`;
    c.CompanyName = 'Acme Widgets';
    c.EmailAddresses._setItem(EmailAddressKey.EmailAddress1,
      new EmailAddress(`${given}.${surname}@acme.example`.toLowerCase()));
    c.PhoneNumbers._setItem(PhoneNumberKey.BusinessPhone, '+1 212 555 0100');
    c.Birthday = utc('1990-12-10T12:00:00Z');
    await c.Save(folder(WellKnownFolderName.Contacts));
    return { id: c.Id.UniqueId, change_key: c.Id.ChangeKey };
  },

  async 'read-contact'(svc, id) {
    const c = await Contact.Bind(svc, new ItemId(id));
    const email = { outValue: null };
    c.EmailAddresses.TryGetValue(EmailAddressKey.EmailAddress1, email);
    return {
      id: c.Id.UniqueId, given: c.GivenName, surname: c.Surname, company: c.CompanyName,
      job_title: c.JobTitle || null, email1: email.outValue ? email.outValue.Address : null,
      birthday: iso(c.Birthday), raw_birthday: rawElement('Birthday'),
    };
  },

  async 'update-contact'(svc, id, company) {
    const c = await Contact.Bind(svc, new ItemId(id));
    c.CompanyName = company;
    c.JobTitle = 'Partner';
    await c.Update(ConflictResolutionMode.AutoResolve);
    return { id: c.Id.UniqueId, change_key: c.Id.ChangeKey };
  },

  async 'delete-contact'(svc, id) {
    const c = await Contact.Bind(svc, new ItemId(id));
    await c.Delete(DeleteMode.MoveToDeletedItems);
    return { deleted: id };
  },

  async sync(svc, state) {
    const props = new PropertySet(BasePropertySet.IdOnly, [ContactSchema.GivenName]);
    const changes = [];
    let pages = 0;
    let more = true;
    let from = state || null;
    while (more) {
      const got = await svc.SyncFolderItems(folder(WellKnownFolderName.Contacts), props, null,
        100, SyncFolderItemsScope.NormalItems, from);
      for (const ch of got.GetEnumerator()) {
        changes.push({
          type: ChangeType[ch.ChangeType], id: ch.ItemId.UniqueId,
          given: ch.Item ? ch.Item.GivenName : null,
        });
      }
      from = got.SyncState;
      more = got.MoreChangesAvailable;
      pages += 1;
    }
    return { state: from, pages, changes };
  },

  async 'create-meeting'(svc, subject, start, end) {
    const a = new Appointment(svc);
    a.Subject = subject;
    a.Location = 'Room 4';
    a.Start = utc(start);
    a.End = utc(end);
    a.RequiredAttendees.Add('bob@firm.example');
    await a.Save(folder(WellKnownFolderName.Calendar), SendInvitationsMode.SendToNone);
    return { id: a.Id.UniqueId, change_key: a.Id.ChangeKey };
  },

  async 'calendar-view'(svc, start, end) {
    const view = new CalendarView(utc(start), utc(end));
    view.PropertySet = new PropertySet(BasePropertySet.IdOnly, [ItemSchema.Subject,
      AppointmentSchema.Start, AppointmentSchema.End, AppointmentSchema.IsMeeting,
      AppointmentSchema.AppointmentType]);
    const found = await svc.FindAppointments(folder(WellKnownFolderName.Calendar), view);
    return {
      entries: found.Items.map((x) => ({
        id: x.Id.UniqueId, subject: x.Subject, start: iso(x.Start), end: iso(x.End),
        is_meeting: x.IsMeeting,
      })),
      raw_start: rawElement('Start'),
    };
  },

  // No request: the lines up to the next mark are one check's steps, and since the
  // run stops at the first step that fails, the next mark comes out only if all of
  // them succeeded.
  async mark(svc, name) {
    return { mark: name };
  },
};

function errorOf(e) {
  // A ServiceResponseException carries the EWS code as ErrorCode (0 is NoError). A
  // failed HTTP request rejects with SoapFaultDetails: its ResponseCode when the
  // reply was a SOAP fault (it has a faultcode), else its message ("401 Unauthorized").
  if (e && typeof e.ErrorCode === 'number' && e.ErrorCode !== 0) {
    return ServiceError[e.ErrorCode] || String(e.ErrorCode);
  }
  if (e && e.FaultCode && typeof e.ResponseCode === 'number') {
    return ServiceError[e.ResponseCode] || String(e.ResponseCode);
  }
  if (e && e.message) return e.message;
  if (e && e.status) return `HTTP ${e.status}`;
  return String(e);
}

// argv split at "+" into [name, ...args] lists.
function parse(argv) {
  const runs = [[]];
  for (const a of argv) {
    if (a === '+') runs.push([]);
    else runs[runs.length - 1].push(a);
  }
  return runs;
}

async function main(argv) {
  const runs = parse(argv);
  if (runs.some((r) => !steps[r[0]])) {
    process.stderr.write(`usage: ews_managed_api.js STEP [ARG...] [+ STEP [ARG...]]...\n` +
      `steps: ${Object.keys(steps).join(' ')}\n`);
    return 2;
  }
  const last = {};
  try {
    const svc = service();
    for (const [name, ...args] of runs) {
      const out = await steps[name](svc, ...args.map((a) => (a.startsWith('@') ? last[a.slice(1)] : a)));
      for (const k of ['id', 'state']) if (out[k]) last[k] = out[k];
      process.stdout.write(`${JSON.stringify(out)}\n`);
    }
    return 0;
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ error: errorOf(e) })}\n`);
    if (process.env.EWSJS_DEBUG) process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((rc) => { process.exitCode = rc; });
