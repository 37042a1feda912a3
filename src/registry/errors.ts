// The error codes of the OCI distribution spec (spec.md, "Error Codes") and the JSON body they
// travel in: {"errors":[{"code","message","detail"}]}.

export const ERROR_CODES = {
  BLOB_UNKNOWN: 'blob unknown to registry',
  BLOB_UPLOAD_INVALID: 'blob upload invalid',
  BLOB_UPLOAD_UNKNOWN: 'blob upload unknown to registry',
  DIGEST_INVALID: 'provided digest did not match uploaded content',
  MANIFEST_BLOB_UNKNOWN: 'manifest references a manifest or blob unknown to registry',
  MANIFEST_INVALID: 'manifest invalid',
  MANIFEST_UNKNOWN: 'manifest unknown to registry',
  NAME_INVALID: 'invalid repository name',
  NAME_UNKNOWN: 'repository name not known to registry',
  SIZE_INVALID: 'provided length did not match content length',
  TAG_INVALID: 'manifest tag did not match URI',
  UNSUPPORTED: 'the operation is unsupported',
  TOOMANYREQUESTS: 'too many requests',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A request the registry refuses: its HTTP status, spec error code and message. */
export class RegistryHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message?: string,
    readonly detail?: unknown,
  ) {
    super(message ?? ERROR_CODES[code]);
  }

  body(): string {
    return JSON.stringify({ errors: [{ code: this.code, message: this.message, ...(this.detail !== undefined && { detail: this.detail }) }] });
  }
}
