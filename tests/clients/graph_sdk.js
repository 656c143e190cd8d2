#!/usr/bin/env node
// graph_sdk.js - real Microsoft Graph clients for the Graph fake: Microsoft's JavaScript
// SDK (@microsoft/microsoft-graph-client) with its default middleware (auth, retry,
// redirect, telemetry), and MSAL for Node (@azure/msal-node) for the app's
// client-credentials token. Run by tests/fakes/graph_sdk.bats.
//
//   node tests/clients/graph_sdk.js STEP [ARG...] [+ STEP [ARG...]]...
//
// Steps joined by "+" run in one process (loading the SDK and MSAL costs a second
// of CPU); an argument "@id", "@etag" or "@delta" is the "id", "etag" or "delta" of
// the last step that gave one, "@etag~1" the one before it. Each step prints one JSON line on stdout; the first
// that fails prints {"step", "error": Graph's error code or the message, "status"}
// and the run exits 1, unless its name starts with "?" (a failure the caller
// expects: the line is printed and the run goes on).
//
// Where and who come from the environment, secrets from files:
//   GRAPH_URL          the fake's HTTPS base, https://127.0.0.1:PORT (the SDK sends
//                      its token to https hosts only; NODE_EXTRA_CA_CERTS names the
//                      fake's certificate)
//   GRAPH_TENANT       the tenant id (the token endpoint is GRAPH_URL/TENANT/oauth2/v2.0/token)
//   GRAPH_CLIENT_ID    the app
//   GRAPH_SECRET_FILE  its client secret (one line), or
//   GRAPH_CERT_FILE, GRAPH_KEY_FILE  its certificate and private key (PEM): a signed
//                      client assertion; GRAPH_CERT_ALG RS256 (x5t, SHA-1 thumbprint,
//                      the default) or PS256 (x5t#S256)
//   GRAPH_MAILBOX      the user whose mailbox the steps use
//
// Steps:
//   token                          acquire a token: {"token_type", "expires_in_s"}
//   create-contact GIVEN SURNAME   a contact with company, e-mail, phones, address,
//                                  birthday and the op-id tag GIVEN-SURNAME: {"id", "etag"}
//   read-contact ID                GET with $expand of the op-id tag: its fields
//   find-tag VALUE                 $filter on the op-id tag: {"ids": [...]}
//   update-contact ID COMPANY [ETAG]  PATCH companyName (If-Match: ETAG when given)
//   delete-contact ID
//   delta [LINK] [PAGE]            contacts/delta of the default folder to the end,
//                                  Prefer: odata.maxpagesize=PAGE (default 2):
//                                  {"pages", "changes": [{id, removed, name}], "delta"}
//   calendar-delta START END [ZONE] [LINK]  calendarView/delta over [START, END),
//                                  Prefer: outlook.timezone=ZONE, maxpagesize 3
//   batch                          one $batch: a contact made, then (dependsOn) the
//                                  contacts read and an unknown event
//   batch-versioned                a $batch step named by the full URL, version and
//                                  all, as the SDK's documentation shows it
//   parallel N                     N GETs of the mailbox at once, each retried by the
//                                  SDK's RetryHandler after a 429 (Retry-After)
//   mark NAME                      no request: {"mark": NAME}
'use strict';

const fs = require('fs');
const crypto = require('crypto');
const msal = require('@azure/msal-node');
const { Client, BatchRequestContent, BatchResponseContent } =
  require('@microsoft/microsoft-graph-client');

const TAG = 'String {00020329-0000-0000-c000-000000000046} Name oisync-op-id';
const SCOPE = 'https://graph.microsoft.com/.default';

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

const base = env('GRAPH_URL').replace(/\/+$/, '');
const host = new URL(base).host;
const tenant = env('GRAPH_TENANT');
const mailbox = env('GRAPH_MAILBOX');
const user = `/users/${encodeURIComponent(mailbox)}`;

// MSAL insists on an https authority and would discover its endpoints over the
// network; knownAuthorities and the two metadata documents name the fake's, so
// MSAL makes no request but the token request itself.
function authConfig() {
  const authority = `${base}/${tenant}`;
  const auth = {
    clientId: env('GRAPH_CLIENT_ID'),
    authority,
    knownAuthorities: [host],
    authorityMetadata: JSON.stringify({
      token_endpoint: `${authority}/oauth2/v2.0/token`,
      authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
      jwks_uri: `${authority}/discovery/v2.0/keys`,
      issuer: `${authority}/v2.0`,
    }),
    cloudDiscoveryMetadata: JSON.stringify({
      tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    }),
  };
  if (process.env.GRAPH_CERT_FILE) {
    const pem = fs.readFileSync(env('GRAPH_CERT_FILE'), 'utf8');
    const cert = new crypto.X509Certificate(pem);
    const sha256 = process.env.GRAPH_CERT_ALG === 'PS256';
    const thumb = (sha256 ? cert.fingerprint256 : cert.fingerprint).replace(/:/g, '');
    auth.clientCertificate = {
      privateKey: fs.readFileSync(env('GRAPH_KEY_FILE'), 'utf8'),
      [sha256 ? 'thumbprintSha256' : 'thumbprint']: thumb,
    };
  } else {
    auth.clientSecret = fs.readFileSync(env('GRAPH_SECRET_FILE'), 'utf8').trim();
  }
  return { auth };
}

const cca = new msal.ConfidentialClientApplication(authConfig());
let lastToken = null;

async function token() {
  lastToken = await cca.acquireTokenByClientCredential({ scopes: [SCOPE] });
  return lastToken.accessToken;
}

// The SDK's default middleware chain, with the fake as a custom host: the
// AuthenticationHandler adds the token to https URLs of Graph or of customHosts.
const client = Client.initWithMiddleware({
  authProvider: { getAccessToken: token },
  baseUrl: base,
  customHosts: new Set([new URL(base).hostname]),
  defaultVersion: 'v1.0',
});

const contactFields = 'givenName,surname,displayName,companyName,jobTitle,emailAddresses,' +
  'businessPhones,mobilePhone,businessAddress,birthday,categories';

const steps = {
  async token() {
    await token();
    return {
      token_type: lastToken.tokenType,
      expires_in_s: Math.round((lastToken.expiresOn - Date.now()) / 1000),
    };
  },

  async 'create-contact'(given, surname) {
    const c = await client.api(`${user}/contacts`).post({
      givenName: given, surname, companyName: 'Old Co', jobTitle: 'Partner',
      emailAddresses: [{ address: `${given.toLowerCase()}@example.com`,
        name: `${given} ${surname}` }],
      businessPhones: ['+1 212 555 0100'], mobilePhone: '+1 917 555 0101',
      businessAddress: { street: '1 Main St', city: 'New York', countryOrRegion: 'United States' },
      birthday: '1990-12-10T12:00:00Z', categories: ['Clients'],
      singleValueExtendedProperties: [{ id: TAG, value: `${given}-${surname}` }],
    });
    return { id: c.id, etag: c['@odata.etag'], displayName: c.displayName };
  },

  async 'read-contact'(id) {
    const c = await client.api(`${user}/contacts/${id}`)
      .select(contactFields)
      .expand(`singleValueExtendedProperties($filter=id eq '${TAG}')`)
      .get();
    const tag = (c.singleValueExtendedProperties || [])[0];
    return {
      id: c.id, etag: c['@odata.etag'], givenName: c.givenName, surname: c.surname,
      displayName: c.displayName, companyName: c.companyName, jobTitle: c.jobTitle,
      email: c.emailAddresses.map((e) => e.address), businessPhones: c.businessPhones,
      city: c.businessAddress.city, birthday: c.birthday, categories: c.categories,
      tag: tag ? tag.value : null,
    };
  },

  async 'find-tag'(value) {
    const r = await client.api(`${user}/contacts`)
      .filter(`singleValueExtendedProperties/Any(ep: ep/id eq '${TAG}' and ep/value eq '${value}')`)
      .select('id,displayName')
      .get();
    return { ids: r.value.map((c) => c.id), names: r.value.map((c) => c.displayName) };
  },

  async 'update-contact'(id, company, etag) {
    let req = client.api(`${user}/contacts/${id}`);
    if (etag) req = req.header('If-Match', etag);
    const c = await req.patch({ companyName: company });
    return { id: c.id, etag: c['@odata.etag'], companyName: c.companyName };
  },

  async 'delete-contact'(id) {
    await client.api(`${user}/contacts/${id}`).delete();
    return { deleted: id };
  },

  async delta(link, page) {
    let url = link && link !== '-' ? link : `${user}/contactFolders/contacts/contacts/delta`;
    const size = page || '2';
    const changes = [];
    let pages = 0;
    for (;;) {
      let req = client.api(url).header('Prefer', `odata.maxpagesize=${size}`);
      if (!link || link === '-') req = req.select('displayName,companyName');
      link = 'started';
      const r = await req.get();
      pages += 1;
      for (const v of r.value) {
        changes.push({ id: v.id, removed: Boolean(v['@removed']), name: v.displayName || null,
          company: v.companyName || null });
      }
      if (r['@odata.nextLink']) { url = r['@odata.nextLink']; continue; }
      return { pages, changes, delta: r['@odata.deltaLink'] };
    }
  },

  async 'calendar-delta'(start, end, zone, link) {
    let url = link && link !== '-' ? link
      : `${user}/calendarView/delta?startDateTime=${start}&endDateTime=${end}`;
    const events = [];
    let pages = 0;
    for (;;) {
      const prefer = ['odata.maxpagesize=3'];
      if (zone && zone !== '-') prefer.push(`outlook.timezone="${zone}"`);
      const r = await client.api(url).header('Prefer', prefer.join(', ')).get();
      pages += 1;
      for (const v of r.value) {
        events.push(v['@removed'] ? { id: v.id, removed: true } : {
          id: v.id, type: v.type, subject: v.subject, start: v.start, end: v.end,
          seriesMasterId: v.seriesMasterId, originalStart: v.originalStart, iCalUId: v.iCalUId,
        });
      }
      if (r['@odata.nextLink']) { url = r['@odata.nextLink']; continue; }
      return { pages, events, delta: r['@odata.deltaLink'] };
    }
  },

  async batch() {
    // Steps name absolute URLs without the version: the SDK 3.0.7 keeps what
    // follows the host, and a batch step's url is relative to the version.
    const at = (path) => `${base}${user}${path}`;
    const content = new BatchRequestContent([
      { id: '1', request: new Request(at('/contacts'), {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ givenName: 'Batch', surname: 'Made' }) }) },
      { id: '2', dependsOn: ['1'],
        request: new Request(at('/contacts?$top=50&$select=displayName'), { method: 'GET' }) },
      { id: '3', request: new Request(at('/events/AAMkAAAAAAAAAAAAAAA='), { method: 'GET' }),
        dependsOn: ['1'] },
    ]);
    const body = await content.getContent();
    const r = await client.api('/$batch').post(body);
    const res = new BatchResponseContent(r);
    const out = {};
    for (const [id, resp] of res.getResponses()) {
      const json = await resp.json();
      out[id] = { status: resp.status,
        names: json.value ? json.value.map((c) => c.displayName) : undefined,
        code: json.error ? json.error.code : undefined };
    }
    return { responses: out };
  },

  async 'batch-versioned'() {
    // BatchRequestContent 3.0.7 sends what follows the host: /v1.0/users/...
    const content = new BatchRequestContent([
      { id: '1', request: new Request(`${base}/v1.0${user}/contacts`, { method: 'GET' }) },
    ]);
    const r = await client.api('/$batch').post(await content.getContent());
    const one = r.responses[0];
    return { sent: (await content.getContent()).requests[0].url, status: one.status,
      code: one.body.error ? one.body.error.code : undefined,
      message: one.body.error ? one.body.error.message : undefined };
  },

  async parallel(n) {
    const all = [];
    for (let i = 0; i < Number(n); i += 1) {
      all.push(client.api(`${user}/contacts`).select('id').top(1).get()
        .then(() => 200, (e) => e.statusCode || String(e)));
    }
    return { statuses: await Promise.all(all) };
  },

  async mark(name) {
    return { mark: name };
  },
};

async function main(argv) {
  const runs = [];
  let cur = null;
  for (const a of argv) {
    if (a === '+' || cur === null) {
      cur = [];
      runs.push(cur);
      if (a === '+') continue;
    }
    cur.push(a);
  }
  const last = {};
  for (const [word, ...args] of runs) {
    const expectFailure = word.startsWith('?');
    const name = expectFailure ? word.slice(1) : word;
    if (!steps[name]) throw new Error(`unknown step ${name}`);
    const real = args.map((a) => {
      const m = /^@(\w+)(?:~(\d+))?$/.exec(a);
      const seen = m && last[m[1]];
      return seen ? seen[seen.length - 1 - Number(m[2] || 0)] : a;
    });
    try {
      const out = await steps[name](...real);
      for (const k of ['id', 'etag', 'delta']) if (out[k]) (last[k] = last[k] || []).push(out[k]);
      process.stdout.write(`${JSON.stringify(out)}\n`);
    } catch (e) {
      if (process.env.GRAPH_DEBUG) console.error(e);
      const failed = { step: name, error: e.code || e.errorCode || e.message,
        status: e.statusCode };
      process.stdout.write(`${JSON.stringify(failed)}\n`);
      if (!expectFailure) {
        process.exitCode = 1;
        return;
      }
    }
  }
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
