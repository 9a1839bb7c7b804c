/** Placeholder during measurement. */
export const MAX_SCOPES_PER_TOKEN = 50;
