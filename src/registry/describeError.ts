/** One-line reasons for registry failures: the HTTP status and ACR's error code, never a token. */
import { isRestError } from '@azure/core-rest-pipeline';

/** A one-line reason that names the HTTP status and ACR error code, never a token. */
export function describeError(error: unknown): string {
  if (isRestError(error)) {
    const status = error.statusCode ? `HTTP ${error.statusCode}` : (error.code ?? 'request failed');
    const hint =
      error.statusCode === 401 || error.statusCode === 403
        ? ' (does the identity have AcrPull, or Container Registry Repository Reader in repository-permission mode, on this registry?)'
        : '';
    return `${status}: ${acrErrorText(error.message)}${hint}`;
  }
  return error instanceof Error ? firstLine(error.message) : String(error);
}

/** ACR answers `{"errors":[{"code","message"}]}`; the SDK puts that JSON in the message. */
function acrErrorText(message: string): string {
  try {
    const body = JSON.parse(message) as { errors?: Array<{ code?: string; message?: string }> };
    const first = body.errors?.[0];
    if (first) return [first.code, first.message].filter(Boolean).join(' ');
  } catch {
    // not JSON: use the text as it is
  }
  return firstLine(message);
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 300);
}
