/**
 * ACR's token endpoints: `POST /oauth2/exchange` turns an Entra token into a refresh token, and
 * `POST /oauth2/token` turns a refresh token into an access token for the scopes asked for. Like
 * ACR (Azure/acr docs/AAD-OAuth.md: "`scope` ... can be specified more than once for multiple
 * scope requests"), `scope` may be repeated, and one token then covers every repository named.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../httpUtil.js';
import { acrErrors, reply, type AcrContext } from './context.js';
import { parseScopes } from './tokens.js';

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams(await readBody(req));
}

export async function handleExchange(ctx: AcrContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = await readForm(req);
  const grantType = form.get('grant_type');
  const service = form.get('service');
  const accessToken = form.get('access_token');
  if (grantType !== 'access_token' || !service || !accessToken) {
    reply(ctx, req, res, 'exchange', 400, acrErrors('UNSUPPORTED', 'grant_type=access_token, service and access_token are required'));
    return;
  }
  if (service !== ctx.loginServer) {
    reply(ctx, req, res, 'exchange', 400, acrErrors('UNSUPPORTED', `service '${service}' does not match this registry`));
    return;
  }
  if (!ctx.validateEntraToken(accessToken)) {
    reply(ctx, req, res, 'exchange', 401, acrErrors('UNAUTHORIZED', 'The access token provided is invalid or expired.'));
    return;
  }
  const refreshToken = ctx.tokens.issueRefreshToken(form.get('tenant') ?? undefined);
  reply(ctx, req, res, 'exchange', 200, { refresh_token: refreshToken });
}

export async function handleToken(ctx: AcrContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = await readForm(req);
  const grantType = form.get('grant_type');
  const service = form.get('service');
  // `scope` may be repeated (one token for several repositories); each may hold several
  // space-separated scopes, as in a WWW-Authenticate challenge.
  const scope = form.getAll('scope').join(' ').trim();
  const refreshToken = form.get('refresh_token');
  if (grantType !== 'refresh_token' || !service || !scope || !refreshToken) {
    reply(ctx, req, res, 'token', 400, acrErrors('UNSUPPORTED', 'grant_type=refresh_token, service, scope and refresh_token are required'));
    return;
  }
  const claims = ctx.tokens.verify(refreshToken);
  if (!claims || claims.typ !== 'refresh' || service !== ctx.loginServer) {
    reply(ctx, req, res, 'token', 401, acrErrors('UNAUTHORIZED', 'The refresh token is invalid, expired or was issued for another registry.'));
    return;
  }
  const access = parseScopes(scope)
    .filter((s) => s.type === 'repository')
    .map((s) => ({ type: 'repository', name: s.name, actions: s.actions.filter((a) => a === 'metadata_read' || a === 'pull') }))
    .filter((s) => s.actions.length > 0);
  reply(ctx, req, res, 'token', 200, { access_token: ctx.tokens.issueAccessToken(claims.sub, access) });
}
