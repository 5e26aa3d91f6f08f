'use client';

import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import { postJson } from './post-json';
import styles from './studies.module.css';

interface Props {
  models: { id: string; name: string; recorded: boolean }[];
  sets: { name: string; models: string[] }[];
}

const slugOf = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);

/** The console's study form: builds the definition JSON, which can also be edited by hand before creating. */
export function StudyForm({ models, sets }: Props) {
  const router = useRouter();
  const [title, setTitle] = useState('');
  const [slug, setSlug] = useState('');
  const [source, setSource] = useState<string>(sets[0]?.name ?? 'inline');
  const [questions, setQuestions] = useState('');
  const [sample, setSample] = useState('10');
  const [chosen, setChosen] = useState<string[]>(() => sets[0]?.models.slice(0, 3) ?? []);
  const [design, setDesign] = useState<'all-pairs' | 'balanced-incomplete'>('all-pairs');
  const [pairsPerItem, setPairsPerItem] = useState('1');
  const [perPair, setPerPair] = useState('3');
  const [quota, setQuota] = useState('');
  const [access, setAccess] = useState<'invite' | 'signed-in' | 'anonymous'>('invite');
  const [instructions, setInstructions] = useState('');
  const [consent, setConsent] = useState('');
  const [qualification, setQualification] = useState('');
  const [checks, setChecks] = useState('0');
  const [every, setEvery] = useState('10');
  const [edited, setEdited] = useState<string | null>(null);
  const [open, setOpen] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const definition = useMemo(() => {
    const n = (s: string) => (s.trim() === '' ? undefined : Number(s));
    const items = questions
      .split('\n')
      .map((q) => q.trim())
      .filter(Boolean)
      .map((text, i) => ({ id: `q${i + 1}`, text }));
    return {
      slug: slug || slugOf(title),
      title,
      ...(instructions.trim() ? { instructions } : {}),
      prompts: source === 'inline' ? { items, ...(n(sample) ? { sample: n(sample) } : {}) } : { set: source, ...(n(sample) ? { sample: n(sample) } : {}) },
      models: chosen,
      design: design === 'all-pairs' ? { kind: 'all-pairs' } : { kind: 'balanced-incomplete', pairsPerItem: n(pairsPerItem) },
      judgmentsPerPair: n(perPair),
      ...(n(quota) ? { quota: n(quota) } : {}),
      access,
      ...(consent.trim() ? { consent } : {}),
      ...(qualification.trim() ? { qualification } : {}),
      ...(n(checks) ? { attentionChecks: { every: n(every), generated: n(checks) } } : {}),
    };
  }, [title, slug, instructions, source, questions, sample, chosen, design, pairsPerItem, perPair, quota, access, consent, qualification, checks, every]);

  const json = edited ?? JSON.stringify(definition, null, 2);

  const submit = async () => {
    setError(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      return setError('The definition is not valid JSON.');
    }
    setBusy(true);
    try {
      const out = await postJson<{ study: { slug: string } }>('/api/admin/studies', { definition: parsed, open });
      router.push(`/admin/studies/${out.study.slug}`);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  const toggle = (id: string) => setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id]));

  return (
    <form
      className={styles.form}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <section className={`${styles.card} ${styles.form}`}>
        <h2>Study</h2>
        <div className={styles.row}>
          <label className={styles.field}>
            Title
            <input data-testid="study-form-title" value={title} onChange={(e) => setTitle(e.target.value)} required />
          </label>
          <label className={styles.field}>
            Address (slug)
            <input data-testid="study-form-slug" value={slug} placeholder={slugOf(title) || 'my-study'} onChange={(e) => setSlug(e.target.value)} />
          </label>
        </div>
        <label className={styles.field}>
          Instructions for participants (Markdown, optional)
          <textarea rows={3} value={instructions} onChange={(e) => setInstructions(e.target.value)} />
        </label>
      </section>
      <section className={`${styles.card} ${styles.form}`}>
        <h2>Prompts and models</h2>
        <div className={styles.row}>
          <label className={styles.field}>
            Prompt set
            <select data-testid="study-form-set" value={source} onChange={(e) => setSource(e.target.value)}>
              {sets.map((s) => (
                <option key={s.name} value={s.name}>
                  Recorded set {s.name} ({s.models.length} recorded models)
                </option>
              ))}
              <option value="inline">Questions typed here</option>
            </select>
          </label>
          <label className={styles.field}>
            Items (a seeded sample; empty: all)
            <input data-testid="study-form-sample" inputMode="numeric" value={sample} onChange={(e) => setSample(e.target.value)} />
          </label>
        </div>
        {source === 'inline' ? (
          <label className={styles.field}>
            Questions, one a line
            <textarea rows={5} value={questions} onChange={(e) => setQuestions(e.target.value)} />
          </label>
        ) : null}
        <fieldset className={styles.field}>
          <legend>Models</legend>
          <div className={styles.models}>
            {models.map((m) => (
              <label key={m.id}>
                <input type="checkbox" checked={chosen.includes(m.id)} onChange={() => toggle(m.id)} data-testid={`study-form-model-${m.id}`} /> {m.name}{' '}
                <span className="muted">({m.recorded ? 'recorded' : 'live'})</span>
              </label>
            ))}
          </div>
        </fieldset>
      </section>
      <section className={`${styles.card} ${styles.form}`}>
        <h2>Design and participants</h2>
        <div className={styles.row}>
          <label className={styles.field}>
            Design
            <select value={design} onChange={(e) => setDesign(e.target.value as typeof design)} data-testid="study-form-design">
              <option value="all-pairs">Every item on every pair</option>
              <option value="balanced-incomplete">Balanced incomplete (some pairs per item)</option>
            </select>
          </label>
          {design === 'balanced-incomplete' ? (
            <label className={styles.field}>
              Pairs per item
              <input inputMode="numeric" value={pairsPerItem} onChange={(e) => setPairsPerItem(e.target.value)} />
            </label>
          ) : null}
          <label className={styles.field}>
            Judgments per item and pair
            <input data-testid="study-form-per-pair" inputMode="numeric" value={perPair} onChange={(e) => setPerPair(e.target.value)} />
          </label>
          <label className={styles.field}>
            Quota per participant (empty: none)
            <input inputMode="numeric" value={quota} onChange={(e) => setQuota(e.target.value)} />
          </label>
        </div>
        <div className={styles.row}>
          <label className={styles.field}>
            Who may take part
            <select value={access} onChange={(e) => setAccess(e.target.value as typeof access)} data-testid="study-form-access">
              <option value="invite">Invited participants (a code each)</option>
              <option value="signed-in">Signed-in accounts</option>
              <option value="anonymous">Anyone with the link (a browser cookie)</option>
            </select>
          </label>
          <label className={styles.field}>
            Attention checks (from recorded answers)
            <input data-testid="study-form-checks" inputMode="numeric" value={checks} onChange={(e) => setChecks(e.target.value)} />
          </label>
          <label className={styles.field}>
            One check after every … judgments
            <input data-testid="study-form-every" inputMode="numeric" value={every} onChange={(e) => setEvery(e.target.value)} />
          </label>
        </div>
        <label className={styles.field}>
          Consent text (Markdown; participants must agree before the first item)
          <textarea rows={3} value={consent} onChange={(e) => setConsent(e.target.value)} data-testid="study-form-consent" />
        </label>
        <label className={styles.field}>
          Qualification statement (participants confirm it)
          <input value={qualification} onChange={(e) => setQualification(e.target.value)} placeholder="I read English fluently." />
        </label>
      </section>
      <section className={`${styles.card} ${styles.form}`}>
        <h2>Definition</h2>
        <label className={styles.field}>
          <span>
            The JSON that will be created {edited !== null ? <span className="muted">(edited by hand)</span> : null}
          </span>
          <textarea rows={14} value={json} onChange={(e) => setEdited(e.target.value)} data-testid="study-form-json" spellCheck={false} />
        </label>
        {edited !== null ? (
          <div>
            <button type="button" className="button button-ghost" onClick={() => setEdited(null)}>
              Back to the form
            </button>
          </div>
        ) : null}
        <label>
          <input type="checkbox" checked={open} onChange={(e) => setOpen(e.target.checked)} /> Open to participants at once
        </label>
        <div className={styles.actions}>
          <button className="button button-primary" type="submit" disabled={busy} data-testid="study-form-create">
            Create study
          </button>
          {error ? (
            <p className={styles.error} role="alert" data-testid="study-form-error">
              {error}
            </p>
          ) : null}
        </div>
      </section>
    </form>
  );
}
