import { z } from 'zod';

// zod would probe `new Function` to compile faster parsers; the pages' CSP forbids eval, and the
// probe alone is reported as a violation. The interpreted parsers are plenty for these shapes.
// Every component that parses with zod imports it from here, so the setting is made first.
z.config({ jitless: true });

export { z };
