#!/usr/bin/env node
// graph_sdk_read.js - the baseline of bench/extract_graph: Microsoft's JavaScript SDK
// (@microsoft/microsoft-graph-client, its default middleware) with MSAL for Node
// (@azure/msal-node) reading a mailbox's contacts the way oisync-extract does.
//
//   node bench/graph_sdk_read.js full EXPAND    a delta round of ids to its deltaLink,
//                                              then the folder listed whole with
//                                              $top=1000&$expand=EXPAND
//   node bench/graph_sdk_read.js quiet LINK     one delta round from the deltaLink LINK
//
// Every contact (full) or change (quiet) goes to stdout as one JSON line, a page
// at a time; the last line is {"deltaLink": ...}, as oisync's checkpoint is its
// last record. Delta pages are asked for 1000 entries (Prefer:
// odata.maxpagesize=1000), as oisync asks. Where and who come from the
// environment, as for tests/clients/graph_sdk.js: GRAPH_URL (the fake's HTTPS base;
// NODE_EXTRA_CA_CERTS names its certificate), GRAPH_TENANT, GRAPH_CLIENT_ID,
// GRAPH_SECRET_FILE (the client secret, one line), GRAPH_MAILBOX.
'use strict';

const fs = require('fs');
const msal = require('@azure/msal-node');
const { Client } = require('@microsoft/microsoft-graph-client');

const SCOPE = 'https://graph.microsoft.com/.default';
const PAGE = 1000;

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

const base = env('GRAPH_URL').replace(/\/+$/, '');
const host = new URL(base).host;
const tenant = env('GRAPH_TENANT');
const user = `/users/${encodeURIComponent(env('GRAPH_MAILBOX'))}`;
const contacts = `${user}/contactFolders/contacts/contacts`;

// As tests/clients/graph_sdk.js: MSAL given the fake's authority and its metadata,
// so it asks nothing of the network but the token.
const authority = `${base}/${tenant}`;
const cca = new msal.ConfidentialClientApplication({
  auth: {
    clientId: env('GRAPH_CLIENT_ID'),
    clientSecret: fs.readFileSync(env('GRAPH_SECRET_FILE'), 'utf8').trim(),
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
  },
});

// MSAL caches the token in memory: one token request per process.
const client = Client.initWithMiddleware({
  authProvider: {
    getAccessToken: async () => (await cca.acquireTokenByClientCredential({ scopes: [SCOPE] })).accessToken,
  },
  baseUrl: base,
  customHosts: new Set([new URL(base).hostname]),
  defaultVersion: 'v1.0',
});

// A page's items as JSON lines, in one write.
function writePage(items) {
  if (items.length) fs.writeSync(1, `${items.map((v) => JSON.stringify(v)).join('\n')}\n`);
}

// first (a GraphRequest), then its @odata.nextLinks: each page to onPage; the last page's deltaLink.
async function pages(first, prefer, onPage) {
  let req = first;
  for (;;) {
    if (prefer) req = req.header('Prefer', prefer);
    const r = await req.get();
    onPage(r.value);
    const next = r['@odata.nextLink'];
    if (!next) return r['@odata.deltaLink'];
    req = client.api(next);
  }
}

const prefer = `odata.maxpagesize=${PAGE}`;

async function full(expand) {
  // Ids only: the round is for its deltaLink, the contacts come from the list.
  let ids = 0;
  const link = await pages(client.api(`${contacts}/delta`).select('id'), prefer, (v) => { ids += v.length; });
  if (!link) throw new Error('the delta round ended without a deltaLink');
  await pages(client.api(contacts).top(PAGE).expand(expand), null, writePage);
  fs.writeSync(1, `${JSON.stringify({ deltaLink: link, ids })}\n`);
}

async function quiet(link) {
  const next = await pages(client.api(link), prefer, writePage);
  if (!next) throw new Error('the delta round ended without a deltaLink');
  fs.writeSync(1, `${JSON.stringify({ deltaLink: next })}\n`);
}

async function main([mode, arg]) {
  if (mode === 'full' && arg) return full(arg);
  if (mode === 'quiet' && arg) return quiet(arg);
  throw new Error('usage: graph_sdk_read.js full EXPAND | quiet DELTALINK');
}

main(process.argv.slice(2)).catch((e) => {
  console.error(`graph_sdk_read: ${e.code || e.message} (status ${e.statusCode})`);
  if (process.env.GRAPH_DEBUG) console.error(e);
  process.exitCode = 1;
});
