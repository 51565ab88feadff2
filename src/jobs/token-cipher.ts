import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** AES-256-GCM (NIST SP 800-38D): a 96-bit IV and a 128-bit authentication tag. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals the upstream tokens a job keeps in Redis (AES-256-GCM, the key derived from TASK_ID_SECRET with
 * HKDF-SHA256, RFC 5869), bound to the job's id so that a sealed value copied to another job does not
 * open. Whoever reads Redis without the secret learns nothing of the tokens.
 */
export class TokenCipher {
  readonly #key: Buffer;

  constructor(secret: string) {
    this.#key = Buffer.from(hkdfSync('sha256', secret, '', 'copy-gateway job tokens', 32));
  }

  /** `text` sealed for job `id`: base64url(IV ‖ tag ‖ ciphertext). */
  seal(id: string, text: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(id));
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The text sealed for job `id`, or undefined when it does not open (another key, another job, altered). */
  open(id: string, sealed: string): string | undefined {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(id));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      return undefined;
    }
  }
}
