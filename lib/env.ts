import { z } from 'zod';
import { normaliseBasePath } from './base-path';

/**
 * The process environment, validated once. Every setting that comes from the environment is
 * declared here (and documented in the README's configuration table); nothing else reads
 * `process.env` for configuration. Tests pass an object of their own to `readEnv`.
 */

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(blankToUndefined, z.string().trim().optional());
const flag = z.preprocess(
  blankToUndefined,
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
    .transform((v) => ['1', 'true', 'yes', 'on'].includes(v))
    .optional(),
);

const envSchema = z.object({
  DATABASE_PATH: optionalString,
  /** postgres://… : the app runs on that Postgres database instead of the SQLite file (db/store.ts). */
  DATABASE_URL: optionalString.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message: 'must be a Postgres URL, postgres://user:password@host:5432/database',
  }),
  /** Connections per process to the Postgres store (DATABASE_URL). */
  PAIRWISE_PG_POOL: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(1000).optional()),
  MODELS_FILE: optionalString,
  PORT: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(65535).optional()),
  HOST: optionalString,
  /** HMAC key of the voter cookie and the network hashes; generated beside the database when unset. */
  PAIRWISE_SECRET: z.preprocess(blankToUndefined, z.string().min(16, 'must be at least 16 characters long').optional()),
  PAIRWISE_DATA_DIR: optionalString,
  /**
   * Serve under a sub-path, e.g. /arena ("" or unset: the root). Next.js fixes it at build time
   * (next.config.mjs), so it must be set for the build and for the start alike.
   */
  PAIRWISE_BASE_PATH: z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        const path = normaliseBasePath(v);
        if (path === null) {
          ctx.addIssue({ code: 'custom', message: 'must look like /arena (a leading slash and plain path segments)' });
          return z.NEVER;
        }
        return path;
      }),
  ),
  /** Build folder instead of .next (next.config.mjs), so builds for two base paths can coexist. */
  PAIRWISE_DIST_DIR: optionalString,
  /**
   * The public address people reach the arena at (e.g. https://arena.example.org). Requests for
   * any other host are refused, and mutations must come from this origin. Unset: the address the
   * request was made to, as long as it is a loopback name or address (a local install).
   */
  PAIRWISE_PUBLIC_URL: z.preprocess(blankToUndefined, z.url().optional()),
  /**
   * How many reverse proxies stand in front of the app. X-Forwarded-For / -Proto / -Host are read
   * only when this is above 0; the client address is the one that many hops from the right.
   */
  PAIRWISE_TRUST_PROXY: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(10).default(0)),
  /** A bearer token that lets scripts read the battle export without an admin session. */
  PAIRWISE_EXPORT_TOKEN: z.preprocess(blankToUndefined, z.string().min(24, 'must be at least 24 characters long').optional()),
  /** 'database' (default): models.json seeds the registry once, the console edits it. 'file': the file is the only source. */
  PAIRWISE_REGISTRY: z.preprocess(blankToUndefined, z.enum(['database', 'file']).default('database')),
  /** Folders (path-separated) that GGUF files and recorded sets entered in the console must lie in. Default ./models. */
  PAIRWISE_MODEL_DIRS: optionalString,
  /** The first admin, created at start-up when the store has no admin yet. */
  PAIRWISE_ADMIN_EMAIL: z.preprocess(blankToUndefined, z.email().optional()),
  PAIRWISE_ADMIN_PASSWORD: optionalString,
  GITHUB_CLIENT_ID: optionalString,
  GITHUB_CLIENT_SECRET: optionalString,
  GOOGLE_CLIENT_ID: optionalString,
  GOOGLE_CLIENT_SECRET: optionalString,
  /** A generic OpenID Connect provider (Keycloak, Authentik, Okta, Azure AD, ...). */
  OIDC_ISSUER: z.preprocess(blankToUndefined, z.url().optional()),
  OIDC_CLIENT_ID: optionalString,
  OIDC_CLIENT_SECRET: optionalString,
  /** The button text of the OpenID Connect sign-in (default "Single sign-on"). */
  OIDC_NAME: optionalString,
  /** Rate limits off (for benchmarks that measure raw ingest); never set this on a public arena. */
  PAIRWISE_DISABLE_RATE_LIMITS: flag,
  /**
   * SQLite's synchronous mode: "normal" (a commit survives a crash of the process) or "full" (it
   * also survives a power cut or an OS crash, at the cost of one fsync per commit). Read by db/index.ts.
   */
  PAIRWISE_SQLITE_SYNC: z.preprocess(
    (v) => (typeof v === 'string' ? blankToUndefined(v.trim().toLowerCase()) : v),
    z.enum(['normal', 'full']).default('normal'),
  ),
  /**
   * After SIGTERM, how long answers in flight may go on streaming before they are stopped and
   * stored as aborted (milliseconds). Read by server.mjs.
   */
  PAIRWISE_SHUTDOWN_MS: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(600_000).default(10_000)),
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {}

export function readEnv(source: Record<string, string | undefined>): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new EnvError(`Invalid environment: ${problems}.`);
  }
  // On SQLite the key is generated into a file beside the database; processes sharing a Postgres
  // store have no shared folder, and each must accept the cookies the others signed.
  if (parsed.data.DATABASE_URL && !parsed.data.PAIRWISE_SECRET) {
    throw new EnvError(
      'Invalid environment: PAIRWISE_SECRET: must be set with DATABASE_URL (the same value, at least 16 characters, in every process serving the database).',
    );
  }
  return parsed.data;
}

let cached: Env | null = null;

/** The validated process environment (read once per process). */
export function env(): Env {
  cached ??= readEnv(process.env);
  return cached;
}
