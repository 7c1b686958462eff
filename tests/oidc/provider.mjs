// A real OpenID Connect provider (the `oidc-provider` package) on loopback, for Löfte's sign-in
// tests. Started by tests/oidc_provider.py as `node provider.mjs PORT`; it prints "ready" when
// it listens on 127.0.0.1:PORT (and nowhere else).
//
// - Accounts: any login is an account whose `sub` and `email` are the login; its email is
//   verified unless the login starts with "unverified.".
// - Clients register themselves (dynamic registration, RFC 7591) with their redirect URI, as
//   each test's Löfte listens on a port of its own.
// - Sign-in: the authorization request's `login_hint` signs that account in at once (for tests
//   that follow redirects without a browser); without it the provider shows a form with one
//   field, "E-post", that a browser test fills in. Consent is given at once.
// - `POST /test/tamper` with a text body: from then on, the `email` of every ID token the token
//   endpoint returns is replaced by that text after signing (its signature no longer holds); an
//   empty body stops it. A man in the middle, inside the real provider.
// - `POST /test/email-in-userinfo-only` with `on`: the ID token leaves the address out, and only
//   the UserInfo endpoint gives it (as OpenID Connect's code flow allows); anything else: back.

import { generateKeyPairSync } from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node provider.mjs PORT');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-1', alg: 'RS256', use: 'sig' };
let tamperedEmail = '';
let emailInUserinfoOnly = false;

const provider = new Provider(issuer, {
  jwks: { keys: [signingKey] },
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
  },
  // The ID token carries the scopes' claims (email) as Entra ID, Keycloak and Google put them.
  conformIdTokenClaims: false,
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  pkce: { required: () => true },
  cookies: { keys: ['lofte-test-provider-cookie-key'] },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims(use) {
        const email = { email: id, email_verified: !id.startsWith('unverified.') };
        return { sub: id, name: id, ...(use === 'id_token' && emailInUserinfoOnly ? {} : email) };
      },
    };
  },
});

function page(uid) {
  return `<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Testleverantör</title></head>
<body><main><h1>Testleverantörens inloggning</h1>
<form method="post" action="/interaction/${uid}">
<label for="login">E-post</label> <input id="login" name="login" type="email">
<button type="submit">Fortsätt</button></form></main></body></html>`;
}

async function readBody(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

async function interaction(ctx, uid) {
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { prompt, params, session } = details;
  let result;
  if (prompt.name === 'login') {
    let login = params.login_hint;
    if (!login && ctx.method === 'POST') {
      login = new URLSearchParams(await readBody(ctx.req)).get('login');
    }
    if (!login) {
      ctx.type = 'html';
      ctx.body = page(uid);
      return;
    }
    result = { login: { accountId: login } };
  } else {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    result = { consent: { grantId: await grant.save() } };
  }
  const next = await provider.interactionResult(ctx.req, ctx.res, result, {
    mergeWithLastSubmission: prompt.name !== 'login',
  });
  ctx.status = 303;
  ctx.redirect(next);
}

function tamper(idToken) {
  const [header, payload, signature] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  claims.email = tamperedEmail;
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
}

provider.use(async (ctx, next) => {
  if (ctx.method === 'POST' && ctx.path === '/test/tamper') {
    tamperedEmail = (await readBody(ctx.req)).trim();
    ctx.status = 204;
    return;
  }
  if (ctx.method === 'POST' && ctx.path === '/test/email-in-userinfo-only') {
    emailInUserinfoOnly = (await readBody(ctx.req)).trim() === 'on';
    ctx.status = 204;
    return;
  }
  const found = ctx.path.match(/^\/interaction\/([A-Za-z0-9_-]+)$/);
  if (found) {
    await interaction(ctx, found[1]);
    return;
  }
  await next();
  if (tamperedEmail && ctx.path === '/token' && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: tamper(ctx.body.id_token) };
  }
});

provider.listen(port, '127.0.0.1', () => console.log('ready', issuer));
process.on('SIGTERM', () => process.exit(0));
