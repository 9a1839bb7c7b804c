/**
 * The URL settings: SLACK_WEBHOOK_URL (a secret), SLACK_API_URL and ARM_ENDPOINT.
 *
 * A URL can carry a user name and password (`https://user:pass@host/`), so a URL setting with
 * an `@` in it is never quoted in a message, whatever the variable. SLACK_API_URL and
 * ARM_ENDPOINT with credentials are refused: Slack's Web API and ARM authenticate with the bot
 * token and the identity's bearer token, so a password in the URL is a secret put in the wrong
 * place, and HTTP clients would send it as Basic authentication to every request. The webhook
 * URL is accepted with credentials (a receiver behind Basic authentication is plausible); it is
 * a secret anyway and never shown.
 */
import { quoteValue } from '../util/text.js';
import { InvalidSetting, SECRET_NOTE } from './invalidSetting.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const CREDENTIALS_NOTE = '(value not shown: it may hold a user name or password)';

/** Builds the messages for one value: quoted when that is safe, otherwise said not to be shown. */
function describer(value: string, secret: boolean): (what: string) => InvalidSetting {
  if (secret) return (what) => new InvalidSetting(`${what} ${SECRET_NOTE}`);
  if (value.includes('@')) return (what) => new InvalidSetting(`${what} ${CREDENTIALS_NOTE}`);
  return (what) => new InvalidSetting(`${quoteValue(value)} ${what}`);
}

interface UrlRules {
  /** The value is a secret: never quoted. */
  secret: boolean;
  /** http:// is allowed for this machine (local receivers and emulators). */
  loopbackHttp: boolean;
  /** A user name or password in the URL is refused. */
  refuseCredentials: boolean;
  /** A query string or fragment is refused (base URLs that paths are appended to). */
  refuseQuery: boolean;
}

function checkedUrl(value: string, rules: UrlRules): URL {
  const problem = describer(value, rules.secret);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw problem('is not a valid URL');
  }
  const httpAllowed = rules.loopbackHttp && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !httpAllowed) {
    throw problem(rules.loopbackHttp ? 'must use https:// (http:// is allowed only for localhost and 127.0.0.1)' : 'must use https://');
  }
  if (rules.refuseCredentials && (url.username !== '' || url.password !== '')) {
    throw problem('must not contain a user name or password (https://user:pass@host/): this URL takes no credentials; remove them');
  }
  if (rules.refuseQuery && (url.search || url.hash)) throw problem('must not have a query string or fragment');
  return url;
}

export function parseWebhookUrl(value: string): string {
  checkedUrl(value, { secret: true, loopbackHttp: true, refuseCredentials: false, refuseQuery: false });
  return value;
}

/** Slack Web API base URL, ending with `/` as @slack/web-api wants it. */
export function parseSlackApiUrl(value: string): string {
  const url = checkedUrl(value, { secret: false, loopbackHttp: true, refuseCredentials: true, refuseQuery: true });
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

/** ARM base URL without a trailing slash; bearer tokens go there, so https only. */
export function parseArmEndpoint(value: string): string {
  const url = checkedUrl(value, { secret: false, loopbackHttp: false, refuseCredentials: true, refuseQuery: true });
  return url.href.replace(/\/+$/, '');
}
