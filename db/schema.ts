import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * The store. Raw data (battles, messages, votes) is append-only in spirit: nothing is rewritten
 * after the fact, and cleaning (excluded votes, failed battles) happens when ratings are computed.
 * Times are unix milliseconds.
 */

/** One import of a clean_battle file. The file's sha256 makes a second import of it a no-op. */
export const imports = sqliteTable('imports', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  fileSha256: text('file_sha256').notNull().unique(),
  fileName: text('file_name').notNull(),
  format: text('format', { enum: ['json', 'jsonl', 'csv'] }).notNull(),
  importedCount: integer('imported_count').notNull().default(0),
  skippedCount: integer('skipped_count').notNull().default(0),
  /** JSON: { reason: count } and the first few skipped records with their line/record number. */
  report: text('report').notNull().default('{}'),
  createdAt: integer('created_at').notNull(),
});

/**
 * One browser that took part: the id in its signed cookie. Once someone signs in on it the voter
 * is linked to the account, which then owns the battles started on it. Never exported.
 */
export const voters = sqliteTable(
  'voters',
  {
    id: text('id').primaryKey(),
    userId: text('user_id'),
    /** Keyed hash of the network it first came from; the address itself is never stored. */
    network: text('network'),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    /** A ban excludes every vote of this voter (kept, with the reason "banned"). */
    bannedAt: integer('banned_at'),
    banReason: text('ban_reason'),
    /** Trust score in [0, 1] from the last scoring pass (lib/integrity), and why it is low. */
    trust: real('trust'),
    trustFlag: text('trust_flag'),
    /** An operator's decision that overrides the score: 'trusted' or 'untrusted'. */
    trustOverride: text('trust_override', { enum: ['trusted', 'untrusted'] }),
    /** When this browser agreed to the arena's rules (the consent gate, when it is on). */
    consentedAt: integer('consented_at'),
  },
  (t) => [index('voters_user_idx').on(t.userId), index('voters_seen_idx').on(t.lastSeenAt)],
);

/** Accounts. Passwords are scrypt hashes (lib/identity/password.ts); OAuth/OIDC sign-ins link in `accounts`. */
export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email'),
    name: text('name'),
    passwordHash: text('password_hash'),
    role: text('role', { enum: ['voter', 'admin'] }).notNull().default('voter'),
    /** A disabled account cannot sign in, and its votes are excluded as banned. */
    disabledAt: integer('disabled_at'),
    disabledReason: text('disabled_reason'),
    createdAt: integer('created_at').notNull(),
    lastSignInAt: integer('last_sign_in_at'),
  },
  (t) => [uniqueIndex('users_email_unique').on(t.email)],
);

/** An external identity (GitHub, Google, an OpenID Connect issuer) linked to a user. */
export const accounts = sqliteTable(
  'accounts',
  {
    provider: text('provider').notNull(),
    providerAccountId: text('provider_account_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.providerAccountId] }), index('accounts_user_idx').on(t.userId)],
);

/** Invite links for invite-only sign-up (and study participation). Only a hash of the token is kept. */
export const invites = sqliteTable('invites', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  tokenHash: text('token_hash').notNull().unique(),
  note: text('note'),
  createdBy: text('created_by'),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at'),
  /** How many sign-ups it allows (null: no limit until it expires). */
  maxUses: integer('max_uses'),
  uses: integer('uses').notNull().default(0),
  revokedAt: integer('revoked_at'),
});

/** Operator settings edited in the console, as JSON per key; the registry file's settings are the defaults. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at').notNull(),
  updatedBy: text('updated_by'),
});

/** The live model registry: one row per entry, seeded from the registry file on first start. */
export const models = sqliteTable('models', {
  id: text('id').primaryKey(),
  /** The entry as the registry file would hold it (JSON, validated by lib/registry/schema.ts). */
  entry: text('entry').notNull(),
  /** Order on the console and in the registry. */
  position: integer('position').notNull().default(0),
  source: text('source', { enum: ['file', 'console', 'import'] }).notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * Facts about a model that is not in the registry (a name found only in imported battles), set
 * in the console so the leaderboard can show its maker, licence and a link. No provider: such a
 * model never takes part in battles here.
 */
export const modelInfo = sqliteTable('model_info', {
  id: text('id').primaryKey(),
  name: text('name'),
  organization: text('organization'),
  license: text('license'),
  link: text('link'),
  updatedAt: integer('updated_at').notNull(),
  updatedBy: text('updated_by'),
});

/** Every admin action: who, what, when, and the state before and after. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    actorUserId: text('actor_user_id'),
    action: text('action').notNull(),
    target: text('target'),
    before: text('before'),
    after: text('after'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('audit_created_idx').on(t.createdAt)],
);

/** Counters of rate-limiter-flexible (RateLimiterDrizzle), shared by every process on the store. */
export const rateLimits = sqliteTable('rate_limits', {
  key: text('key').primaryKey(),
  points: integer('points').notNull().default(0),
  expire: integer('expire', { mode: 'timestamp_ms' }),
});

export const battles = sqliteTable(
  'battles',
  {
    id: text('id').primaryKey(),
    /** Registry ids (or the names found in an imported file). Side a is shown on the left. */
    modelA: text('model_a').notNull(),
    modelB: text('model_b').notNull(),
    /**
     * 'live' prompts go to two anonymous models; 'recorded' battles replay answers of a fixed prompt
     * set; 'named' is side by side with two models the voter chose by name (never anonymous: its
     * votes have their own board); 'direct' is a chat with one chosen model (side a only, no vote).
     */
    mode: text('mode', { enum: ['live', 'recorded', 'imported', 'named', 'direct'] }).notNull(),
    /** Probability that the sampling policy drew this unordered pair (null for imported battles). */
    samplingProbability: real('sampling_probability'),
    status: text('status', { enum: ['active', 'voted', 'failed', 'abandoned'] })
      .notNull()
      .default('active'),
    /** Number of user turns so far. */
    turns: integer('turns').notNull().default(0),
    /** Prompt-set question id for recorded battles, or clean_battle's question_id on import. */
    questionId: text('question_id'),
    language: text('language'),
    isCode: integer('is_code', { mode: 'boolean' }),
    /** Characters in the first prompt (for the "long prompt" category). */
    promptChars: integer('prompt_chars'),
    /** JSON array of custom tag strings. */
    tags: text('tags').notNull().default('[]'),
    /** 'arena' for battles fought here, 'import' for imported ones. */
    source: text('source', { enum: ['arena', 'import'] }).notNull().default('arena'),
    importId: integer('import_id').references(() => imports.id),
    /** clean_battle "judge" on import; the anonymous voter id otherwise. */
    judge: text('judge'),
    /** The voter (browser) that started the battle: only it, or its account, may see it before the vote. */
    voterId: text('voter_id'),
    /** The account that owns it: the signed-in user who started it, or who later signed in on its voter. */
    userId: text('user_id'),
    /** Keyed hash of the network the battle was started from (see lib/identity/network.ts). */
    network: text('network'),
    /**
     * clean_battle "anony" of an imported battle; false for a named (side-by-side) battle fought
     * here; null for the other battles fought here (anonymous). Only anonymous battles count on the
     * main board and its categories; the others have a board of their own ("named").
     */
    anony: integer('anony', { mode: 'boolean' }),
    /** The first prompt carried images (battle_images): the "vision" category. */
    vision: integer('vision', { mode: 'boolean' }).notNull().default(false),
    /**
     * An unguessable token that makes the battle readable at /share/<token> (opt-in by its owner
     * after the vote; null when not shared or revoked).
     */
    shareToken: text('share_token'),
    sharedAt: integer('shared_at'),
    /**
     * Style features of both sides from an imported record's conv_metadata, as JSON
     * { a: { tokens, headers, listItems, bold }, b: {...} }; null otherwise (battles fought here
     * have their answers in messages).
     */
    styleFeatures: text('style_features'),
    /** The study this battle is a judgment of (lib/study); such battles never count on the main board. */
    studyId: text('study_id'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('battles_status_idx').on(t.status),
    index('battles_study_idx').on(t.studyId),
    index('battles_import_idx').on(t.importId),
    index('battles_created_idx').on(t.createdAt),
    index('battles_voter_idx').on(t.voterId, t.createdAt),
    index('battles_user_idx').on(t.userId, t.createdAt),
    // The console's vote browser filters by model and source, newest first. Battles fought here
    // get an index of their own (partial, so bulk imports do not pay for it); imported ones are
    // found by walking battles_created_idx.
    index('battles_model_a_idx').on(t.modelA, t.createdAt),
    index('battles_model_b_idx').on(t.modelB, t.createdAt),
    index('battles_arena_idx').on(t.createdAt).where(sql`source = 'arena'`),
    uniqueIndex('battles_share_token_unique').on(t.shareToken),
  ],
);

/**
 * An image of a prompt, stored once per battle turn (both sides' user messages share it). Exports
 * carry a marker with its type, size and sha256, never the bytes.
 */
export const battleImages = sqliteTable(
  'battle_images',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    battleId: text('battle_id')
      .notNull()
      .references(() => battles.id),
    turn: integer('turn').notNull(),
    mediaType: text('media_type').notNull(),
    data: blob('data', { mode: 'buffer' }).notNull(),
    bytes: integer('bytes').notNull(),
    sha256: text('sha256').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('battle_images_battle_idx').on(t.battleId, t.turn)],
);

export const messages = sqliteTable(
  'messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    battleId: text('battle_id')
      .notNull()
      .references(() => battles.id),
    side: text('side', { enum: ['a', 'b'] }).notNull(),
    /** 1-based user turn this message belongs to. */
    turn: integer('turn').notNull(),
    role: text('role', { enum: ['user', 'assistant'] }).notNull(),
    content: text('content').notNull(),
    /** Regenerate keeps earlier answers: a superseded answer is no longer part of the history. */
    superseded: integer('superseded', { mode: 'boolean' }).notNull().default(false),
    tokens: integer('tokens'),
    ttftMs: integer('ttft_ms'),
    durationMs: integer('duration_ms'),
    finishReason: text('finish_reason'),
    /** Full provider error for operators; the browser only ever sees a sanitised message. */
    error: text('error'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('messages_battle_idx').on(t.battleId, t.side, t.turn)],
);

export const votes = sqliteTable(
  'votes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    battleId: text('battle_id')
      .notNull()
      .references(() => battles.id),
    winner: text('winner', { enum: ['model_a', 'model_b', 'tie', 'tie (bothbad)'] }).notNull(),
    /** Anonymous voter id from the signed cookie (null for imported votes). Never exported. */
    voterId: text('voter_id'),
    /**
     * Why this vote does not count for ratings; null when it counts. The effective reason, kept in
     * step with its inputs below (lib/integrity/exclusion.ts): the leak check at vote time, a ban of
     * the voter or account, a low trust score, and an operator's decision.
     */
    excludedReason: text('excluded_reason'),
    /** What the identity-leak check found when the vote was cast (null: nothing). */
    leakReason: text('leak_reason'),
    /** An operator's decision on this vote: 'exclude' or 'restore', with a note. */
    moderation: text('moderation', { enum: ['exclude', 'restore'] }),
    moderationNote: text('moderation_note'),
    moderatedBy: text('moderated_by'),
    moderatedAt: integer('moderated_at'),
    /** clean_battle tstamp on import, vote time otherwise. */
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('votes_battle_unique').on(t.battleId),
    index('votes_created_idx').on(t.createdAt),
    index('votes_voter_idx').on(t.voterId),
    // Excluded votes are few: the console counts and lists them by reason without a scan. Partial,
    // so the counted majority (and every imported vote) adds nothing to it.
    index('votes_excluded_idx').on(t.excludedReason).where(sql`excluded_reason IS NOT NULL`),
  ],
);

/** A computed leaderboard: the latest snapshot per (category, style) is what pages and the API read. */
export const ratingSnapshots = sqliteTable(
  'rating_snapshots',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    category: text('category').notNull(),
    styleControl: integer('style_control', { mode: 'boolean' }).notNull().default(false),
    method: text('method').notNull(),
    /** JSON of the parameters (bootstrap rounds, seed, anchor, ci kind, ...). */
    params: text('params').notNull(),
    battleCount: integer('battle_count').notNull(),
    /** Hash of the counted data, so an unchanged store does not produce a new snapshot. */
    dataHash: text('data_hash').notNull(),
    /** JSON result in the `pairwise ratings --format json` shape plus chart data. */
    result: text('result').notNull(),
    createdAt: integer('created_at').notNull().default(sql`(unixepoch() * 1000)`),
  },
  (t) => [index('snapshots_lookup_idx').on(t.category, t.styleControl, t.createdAt)],
);

/**
 * The sufficient statistics of the leaderboard's fits (lib/leaderboard/pair-counts.ts): counted
 * votes per category, ordered model pair and outcome (0 a won, 1 b won, 2 tie, 3 tie (bothbad)),
 * kept up to date by folding in the votes newer than a cursor (settings key `pair_counts.state`),
 * so that a board is fitted in O(pairs). Derived data: it can be dropped and rebuilt from the
 * votes at any time, and is rebuilt whenever counted votes change in place (ratings.input).
 */
export const pairCounts = sqliteTable(
  'pair_counts',
  {
    category: text('category').notNull(),
    modelA: text('model_a').notNull(),
    modelB: text('model_b').notNull(),
    outcome: integer('outcome').notNull(),
    votes: integer('votes').notNull(),
  },
  (t) => [primaryKey({ columns: [t.category, t.modelA, t.modelB, t.outcome] })],
);

/**
 * The same counts for each identity that voted here (`user:<id>` / `voter:<id>`), with the weight
 * they carry in the fit under bounded influence (lib/integrity/influence.ts): `weight` is `votes`
 * times the identity's current w(a, b), equal to `votes` while the identity is under both caps.
 * Only the rows of capped identities (weight <> votes) are read when a board is fitted.
 */
export const pairCountIdentities = sqliteTable(
  'pair_count_identities',
  {
    identity: text('identity').notNull(),
    category: text('category').notNull(),
    modelA: text('model_a').notNull(),
    modelB: text('model_b').notNull(),
    outcome: integer('outcome').notNull(),
    votes: integer('votes').notNull(),
    weight: real('weight').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.identity, t.category, t.modelA, t.modelB, t.outcome] }),
    index('pair_count_identities_capped_idx').on(t.identity).where(sql`weight <> votes`),
  ],
);

/** Per category and model: online Elo after the folded votes (vote-time order), and the model's first timed vote. */
export const pairCountModels = sqliteTable(
  'pair_count_models',
  {
    category: text('category').notNull(),
    model: text('model').notNull(),
    elo: real('elo').notNull(),
    firstVoteAt: integer('first_vote_at'),
  },
  (t) => [primaryKey({ columns: [t.category, t.model] })],
);

/**
 * A blind human evaluation (lib/study): a fixed prompt set, models and design, judged by assigned
 * participants. `definition` is the validated definition (lib/study/definition.ts) with its items
 * resolved; `kind` 'imported' holds judgments read from a published file instead.
 */
export const studies = sqliteTable('studies', {
  id: text('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  title: text('title').notNull(),
  kind: text('kind', { enum: ['native', 'imported'] }).notNull().default('native'),
  status: text('status', { enum: ['draft', 'open', 'closed'] }).notNull().default('draft'),
  access: text('access', { enum: ['signed-in', 'invite', 'anonymous'] }).notNull(),
  definition: text('definition').notNull(),
  createdBy: text('created_by'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** A prompt of a study, or one of its attention checks (`check` holds what the check shows, as JSON). */
export const studyItems = sqliteTable(
  'study_items',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    studyId: text('study_id')
      .notNull()
      .references(() => studies.id),
    kind: text('kind', { enum: ['item', 'check'] }).notNull(),
    /** The item's id in its prompt set (recorded question id), or the check's number. */
    key: text('key').notNull(),
    text: text('text').notNull(),
    category: text('category'),
    check: text('check'),
    position: integer('position').notNull(),
  },
  (t) => [uniqueIndex('study_items_key_unique').on(t.studyId, t.kind, t.key)],
);

/**
 * One person taking part in a study. `label` is the pseudonymous annotator id that reports and
 * exports use; who it is (account, browser, invite code) never leaves the store.
 */
export const studyParticipants = sqliteTable(
  'study_participants',
  {
    id: text('id').primaryKey(),
    studyId: text('study_id')
      .notNull()
      .references(() => studies.id),
    seq: integer('seq').notNull(),
    label: text('label').notNull(),
    userId: text('user_id'),
    voterId: text('voter_id'),
    /** sha256 of the participant code of an invite (the code itself is shown once). */
    codeHash: text('code_hash').unique(),
    note: text('note'),
    consentedAt: integer('consented_at'),
    joinedAt: integer('joined_at'),
    excludedAt: integer('excluded_at'),
    excludedReason: text('excluded_reason'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('study_participants_seq_unique').on(t.studyId, t.seq),
    uniqueIndex('study_participants_label_unique').on(t.studyId, t.label),
    uniqueIndex('study_participants_user_unique').on(t.studyId, t.userId),
    uniqueIndex('study_participants_voter_unique').on(t.studyId, t.voterId),
  ],
);

/**
 * One judgment the design asks for: an item and an ordered pair of models (a on the left), in the
 * design's order (`position`). Assigned to one participant at a time; the judgment is the vote of
 * its battle. The unique index makes "nobody judges the same item and pair twice" a property of
 * the store. Attention-check slots are made per participant when one falls due.
 */
export const studySlots = sqliteTable(
  'study_slots',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    studyId: text('study_id')
      .notNull()
      .references(() => studies.id),
    kind: text('kind', { enum: ['item', 'check'] }).notNull(),
    /** The design cell (item x unordered pair); a check's cell is its own. */
    cell: integer('cell').notNull(),
    itemId: integer('item_id')
      .notNull()
      .references(() => studyItems.id),
    position: integer('position'),
    modelA: text('model_a').notNull(),
    modelB: text('model_b').notNull(),
    /** For attention checks: the side with the sound answer. */
    expected: text('expected', { enum: ['model_a', 'model_b'] }),
    participantId: text('participant_id'),
    /** No foreign key: retention may delete a battle that was never voted on. */
    battleId: text('battle_id'),
    assignedAt: integer('assigned_at'),
  },
  (t) => [
    uniqueIndex('study_slots_cell_participant_unique').on(t.studyId, t.cell, t.participantId),
    index('study_slots_open_idx').on(t.studyId, t.kind, t.participantId, t.position),
    index('study_slots_participant_idx').on(t.participantId),
    index('study_slots_battle_idx').on(t.battleId),
  ],
);

/**
 * Who is streaming a turn of a battle now, and until when the claim holds unless renewed: the
 * per-battle turn lock when several app processes share one Postgres store
 * (lib/battle/turn-lock.ts). A process renews its claims while it streams; a claim that has
 * expired belonged to a process that stopped, and may be taken over. One process on SQLite keeps
 * the lock in memory and leaves this table empty.
 */
export const turnLocks = sqliteTable('turn_locks', {
  battleId: text('battle_id').primaryKey(),
  /** The process holding it (a random id per process). */
  holder: text('holder').notNull(),
  expiresAt: integer('expires_at').notNull(),
});

export type Battle = typeof battles.$inferSelect;
export type NewBattle = typeof battles.$inferInsert;
export type Message = typeof messages.$inferSelect;
export type NewMessage = typeof messages.$inferInsert;
export type Vote = typeof votes.$inferSelect;
export type BattleImage = typeof battleImages.$inferSelect;
export type Winner = Vote['winner'];
export type RatingSnapshot = typeof ratingSnapshots.$inferSelect;
export type Import = typeof imports.$inferSelect;
export type Voter = typeof voters.$inferSelect;
export type User = typeof users.$inferSelect;
export type Invite = typeof invites.$inferSelect;
export type ModelRow = typeof models.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;
export type ModelInfo = typeof modelInfo.$inferSelect;
export type Study = typeof studies.$inferSelect;
export type StudyItem = typeof studyItems.$inferSelect;
export type StudyParticipant = typeof studyParticipants.$inferSelect;
export type StudySlot = typeof studySlots.$inferSelect;
export type TurnLock = typeof turnLocks.$inferSelect;
