// Who is calling: a user, through a session token (the chat front end) or an API key (third
// parties, the OpenAI-compatible routes).
export interface Principal {
  userId: string;
  via: 'session' | 'api_key';
  /** The session's or key's id (never the secret): for logout, revocation and rate limits. */
  credentialId: string;
}
