'use client';

import { useState, type ReactNode } from 'react';
import type { ArenaSettings } from '@/lib/registry/schema';
import type { OperatorSettings } from '@/lib/settings/schema';
import { useAdminAction } from './use-admin-action';
import styles from './admin.module.css';

function Saved({ show }: { show: boolean }) {
  return show ? (
    <span className={styles.ok} role="status" data-testid="settings-saved">
      Saved; in effect now.
    </span>
  ) : null;
}

type Section = ReturnType<typeof useSection>;

/** A form's error, its Save button (save-<section>), any further buttons, and the saved note. */
function SectionActions({ s, children }: { s: Section; children?: ReactNode }) {
  return (
    <>
      {s.error && <p className={styles.error}>{s.error}</p>}
      <div className={styles.actions}>
        <button type="submit" className="button button-primary" disabled={s.pending} data-testid={`save-${s.section}`}>
          Save
        </button>
        {children}
        <Saved show={s.saved} />
      </div>
    </>
  );
}

function useSection(section: string) {
  const { run, pending, error } = useAdminAction();
  const [saved, setSaved] = useState(false);
  const save = async (value: unknown) => {
    setSaved(false);
    setSaved((await run('/api/admin/settings', 'PUT', { section, value })) !== null);
  };
  return { section, save, pending, error, saved, touch: () => setSaved(false) };
}

function AccessForm({ access }: { access: OperatorSettings['access'] }) {
  const s = useSection('access');
  const [voting, setVoting] = useState(access.voting);
  const [signUp, setSignUp] = useState(access.signUp);
  return (
    <form className={`${styles.card} ${styles.form}`} data-testid="settings-access" onSubmit={(e) => (e.preventDefault(), void s.save({ voting, signUp }))}>
      <h2 className={styles.cardTitle}>Who may take part</h2>
      <div className={styles.grid2}>
        <fieldset className={styles.fieldset}>
          <legend>Voting</legend>
          <label className={styles.check}>
            <input type="radio" name="voting" checked={voting === 'anonymous'} onChange={() => (s.touch(), setVoting('anonymous'))} data-testid="voting-anonymous" />
            Anyone, without an account
          </label>
          <label className={styles.check}>
            <input type="radio" name="voting" checked={voting === 'signed-in'} onChange={() => (s.touch(), setVoting('signed-in'))} data-testid="voting-signed-in" />
            Signed-in accounts only
          </label>
        </fieldset>
        <fieldset className={styles.fieldset}>
          <legend>Sign-up</legend>
          {(['open', 'invite', 'closed'] as const).map((p) => (
            <label key={p} className={styles.check}>
              <input type="radio" name="signUp" checked={signUp === p} onChange={() => (s.touch(), setSignUp(p))} data-testid={`signup-${p}`} />
              {p === 'open' ? 'Open to anyone' : p === 'invite' ? 'With an invite link only' : 'Closed (admins create accounts)'}
            </label>
          ))}
        </fieldset>
      </div>
      <SectionActions s={s} />
    </form>
  );
}

function NoticeForm({ notice }: { notice: OperatorSettings['notice'] }) {
  const s = useSection('notice');
  const [text, setText] = useState(notice.text);
  const [requireConsent, setRequireConsent] = useState(notice.requireConsent);
  return (
    <form className={`${styles.card} ${styles.form}`} data-testid="settings-notice" onSubmit={(e) => (e.preventDefault(), void s.save({ text, requireConsent }))}>
      <h2 className={styles.cardTitle}>Rules and consent</h2>
      <label className={styles.field}>
        Shown before a voter&apos;s first battle <span className={styles.hint}>blank lines separate paragraphs</span>
        <textarea value={text} onChange={(e) => (s.touch(), setText(e.target.value))} rows={7} maxLength={8000} data-testid="notice-text" />
      </label>
      <label className={styles.check}>
        <input type="checkbox" checked={requireConsent} onChange={(e) => (s.touch(), setRequireConsent(e.target.checked))} data-testid="notice-consent" />
        Voters must tick “I agree” before their first battle (for studies that need consent)
      </label>
      <SectionActions s={s} />
    </form>
  );
}

function RetentionForm({ retention }: { retention: OperatorSettings['retention'] }) {
  const s = useSection('retention');
  const [days, setDays] = useState(retention.conversationDays === null ? '' : String(retention.conversationDays));
  return (
    <form
      className={`${styles.card} ${styles.form}`}
      data-testid="settings-retention"
      onSubmit={(e) => (e.preventDefault(), void s.save({ conversationDays: days.trim() === '' ? null : Number(days) }))}
    >
      <h2 className={styles.cardTitle}>Data retention</h2>
      <label className={styles.field}>
        Delete conversations older than (days) <span className={styles.hint}>empty: keep them; votes always stay for the ratings</span>
        <input value={days} onChange={(e) => (s.touch(), setDays(e.target.value.replace(/\D/g, '')))} inputMode="numeric" style={{ maxWidth: '10em' }} data-testid="retention-days" />
      </label>
      <SectionActions s={s} />
    </form>
  );
}

function IntegrityForm({ integrity }: { integrity: OperatorSettings['integrity'] }) {
  const s = useSection('integrity');
  const [trustScoring, setTrustScoring] = useState(integrity.trustScoring);
  const [recordedTrustedOnly, setRecorded] = useState(integrity.recordedTrustedOnly);
  const [voterCap, setVoterCap] = useState(integrity.voterCap === null ? '' : String(integrity.voterCap));
  const [voterModelCap, setVoterModelCap] = useState(integrity.voterModelCap === null ? '' : String(integrity.voterModelCap));
  const [proofOfWork, setProofOfWork] = useState(integrity.proofOfWork);
  const [proofOfWorkHashes, setProofOfWorkHashes] = useState(String(integrity.proofOfWorkHashes));
  const cap = (v: string) => (v.trim() === '' ? null : Number(v));
  return (
    <form
      className={`${styles.card} ${styles.form}`}
      data-testid="settings-integrity"
      onSubmit={(e) => (
        e.preventDefault(),
        void s.save({
          trustScoring,
          recordedTrustedOnly,
          voterCap: cap(voterCap),
          voterModelCap: cap(voterModelCap),
          proofOfWork,
          proofOfWorkHashes: Number(proofOfWorkHashes),
        })
      )}
    >
      <h2 className={styles.cardTitle}>Vote integrity</h2>
      <fieldset className={styles.fieldset}>
        <legend>Trust scoring (bursts, one side, reading time, votes against or for particular models)</legend>
        {(['exclude', 'observe', 'off'] as const).map((m) => (
          <label key={m} className={styles.check}>
            <input type="radio" name="trustScoring" checked={trustScoring === m} onChange={() => (s.touch(), setTrustScoring(m))} data-testid={`trust-${m}`} />
            {m === 'exclude' ? 'Exclude the votes of flagged voters' : m === 'observe' ? 'Score voters, exclude nothing' : 'Off'}
          </label>
        ))}
      </fieldset>
      <label className={styles.check}>
        <input type="checkbox" checked={recordedTrustedOnly} onChange={(e) => (s.touch(), setRecorded(e.target.checked))} data-testid="recorded-trusted-only" />
        Count recorded-answer battles only from signed-in accounts (recorded answers are public, so a script can tell the sides
        apart: turn this on for any board open to the public)
      </label>
      <div className={styles.grid2}>
        <label className={styles.field}>
          Most votes one voter weighs in the fit <span className={styles.hint}>empty: no cap</span>
          <input value={voterCap} onChange={(e) => (s.touch(), setVoterCap(e.target.value.replace(/\D/g, '')))} inputMode="numeric" data-testid="voter-cap" />
        </label>
        <label className={styles.field}>
          … and on any one model <span className={styles.hint}>empty: no cap</span>
          <input value={voterModelCap} onChange={(e) => (s.touch(), setVoterModelCap(e.target.value.replace(/\D/g, '')))} inputMode="numeric" data-testid="voter-model-cap" />
        </label>
      </div>
      <label className={styles.check}>
        <input type="checkbox" checked={proofOfWork} onChange={(e) => (s.touch(), setProofOfWork(e.target.checked))} data-testid="proof-of-work" />
        Anonymous battles need a proof of work: the browser solves a small puzzle (self-hosted, no third party) before each battle,
        which costs a script that starts thousands of battles thousands of solves. Signed-in voters are not asked.
      </label>
      <label className={styles.field}>
        Work per battle, in SHA-256 hashes <span className={styles.hint}>200,000 (the default) takes a browser well under a second</span>
        <input
          value={proofOfWorkHashes}
          onChange={(e) => (s.touch(), setProofOfWorkHashes(e.target.value.replace(/\D/g, '')))}
          inputMode="numeric"
          data-testid="proof-of-work-hashes"
        />
      </label>
      <SectionActions s={s} />
    </form>
  );
}

function ArenaForm({ effective, override }: { effective: ArenaSettings; override: OperatorSettings['arena'] }) {
  const s = useSection('arena');
  const [f, setF] = useState({
    maxTurns: String(effective.maxTurns),
    maxPromptChars: String(effective.maxPromptChars),
    timeoutSeconds: String(effective.timeoutMs / 1000),
    battlePerMinute: String(effective.limits.battle.perMinute),
    battlePerDay: String(effective.limits.battle.perDay),
    votePerMinute: String(effective.limits.vote.perMinute),
    votePerDay: String(effective.limits.vote.perDay),
    networkMultiplier: String(effective.limits.networkMultiplier),
  });
  const n = (v: string) => (v.trim() === '' ? undefined : Number(v));
  const field = (key: keyof typeof f, label: string, hint?: string) => (
    <label className={styles.field}>
      {label} {hint && <span className={styles.hint}>{hint}</span>}
      <input value={f[key]} onChange={(e) => (s.touch(), setF((x) => ({ ...x, [key]: e.target.value })))} inputMode="decimal" data-testid={`arena-${key}`} />
    </label>
  );
  const overridden = Object.keys(override).length > 0;
  return (
    <form
      className={`${styles.card} ${styles.form}`}
      data-testid="settings-arena"
      onSubmit={(e) => {
        e.preventDefault();
        const seconds = n(f.timeoutSeconds);
        void s.save({
          maxTurns: n(f.maxTurns),
          maxPromptChars: n(f.maxPromptChars),
          timeoutMs: seconds === undefined ? undefined : Math.round(seconds * 1000),
          limits: {
            battle: { perMinute: n(f.battlePerMinute), perDay: n(f.battlePerDay) },
            vote: { perMinute: n(f.votePerMinute), perDay: n(f.votePerDay) },
            networkMultiplier: n(f.networkMultiplier),
          },
        });
      }}
    >
      <h2 className={styles.cardTitle}>Battles: limits and timeouts</h2>
      <p className={`${styles.small} ${styles.muted}`} style={{ margin: 0 }}>
        {overridden ? 'Set here, over the registry file’s settings.' : 'From the registry file’s settings; saving here overrides them.'}
      </p>
      <div className={styles.grid3}>
        {field('maxTurns', 'Turns per battle')}
        {field('maxPromptChars', 'Characters per prompt')}
        {field('timeoutSeconds', 'Answer timeout (s)', 'a side still going is stopped')}
      </div>
      <fieldset className={styles.fieldset}>
        <legend>Rate limits per account or browser</legend>
        <div className={styles.grid3}>
          {field('battlePerMinute', 'Battles / minute')}
          {field('battlePerDay', 'Battles / day')}
          {field('networkMultiplier', 'Network allowance', '× per shared network')}
          {field('votePerMinute', 'Votes / minute')}
          {field('votePerDay', 'Votes / day')}
        </div>
      </fieldset>
      <SectionActions s={s}>
        {overridden && (
          <button type="button" className="button button-ghost" disabled={s.pending} onClick={() => void s.save({})} data-testid="reset-arena">
            Use the registry file&apos;s values
          </button>
        )}
      </SectionActions>
    </form>
  );
}

function PairingForm({ pairing }: { pairing: OperatorSettings['pairing'] }) {
  const s = useSection('pairing');
  const [policy, setPolicy] = useState(pairing.policy);
  const [liveInRecorded, setLiveInRecorded] = useState(pairing.liveInRecorded);
  return (
    <form
      className={`${styles.card} ${styles.form}`}
      data-testid="settings-pairing"
      onSubmit={(e) => (e.preventDefault(), void s.save({ policy, liveInRecorded }))}
    >
      <h2 className={styles.cardTitle}>Pairing</h2>
      <fieldset className={styles.fieldset}>
        <legend>How the two models of a battle are drawn (the probability of each drawn pair is stored either way)</legend>
        <label className={styles.check}>
          <input type="radio" name="policy" checked={policy === 'active'} onChange={() => (s.touch(), setPolicy('active'))} data-testid="pairing-active" />
          Active: where one more battle narrows the widest rating intervals most, a quarter of battles by weight alone
        </label>
        <label className={styles.check}>
          <input type="radio" name="policy" checked={policy === 'weighted'} onChange={() => (s.touch(), setPolicy('weighted'))} data-testid="pairing-weighted" />
          By each model&rsquo;s sampling weight alone
        </label>
      </fieldset>
      <label className={styles.check}>
        <input type="checkbox" checked={liveInRecorded} onChange={(e) => (s.touch(), setLiveInRecorded(e.target.checked))} data-testid="live-in-recorded" />
        Live models may answer recorded questions too, so that live and recorded models meet in one battle (both sides are
        then shown once both have finished)
      </label>
      <SectionActions s={s} />
    </form>
  );
}

function BoardForm({ board }: { board: OperatorSettings['board'] }) {
  const s = useSection('board');
  const [provisionalVotes, setProvisionalVotes] = useState(String(board.provisionalVotes));
  return (
    <form
      className={`${styles.card} ${styles.form}`}
      data-testid="settings-board"
      onSubmit={(e) => (e.preventDefault(), void s.save({ provisionalVotes: Number(provisionalVotes) }))}
    >
      <h2 className={styles.cardTitle}>Leaderboard</h2>
      <label className={styles.field}>
        Votes a model needs for a rank{' '}
        <span className={styles.hint}>fewer: listed as provisional, not ranked; 0 ranks every model; saving recounts every board</span>
        <input
          value={provisionalVotes}
          onChange={(e) => (s.touch(), setProvisionalVotes(e.target.value.replace(/\D/g, '')))}
          inputMode="numeric"
          style={{ maxWidth: '10em' }}
          data-testid="provisional-votes"
        />
      </label>
      <SectionActions s={s} />
    </form>
  );
}

export function SettingsForms({ sections, effectiveArena }: { sections: OperatorSettings; effectiveArena: ArenaSettings }) {
  return (
    <>
      <ArenaForm effective={effectiveArena} override={sections.arena} />
      <AccessForm access={sections.access} />
      <NoticeForm notice={sections.notice} />
      <IntegrityForm integrity={sections.integrity} />
      <PairingForm pairing={sections.pairing} />
      <BoardForm board={sections.board} />
      <RetentionForm retention={sections.retention} />
    </>
  );
}
