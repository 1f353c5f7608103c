/**
 * Text the demo's sample service sends: a knowledge base worth caching, customer profiles, tickets,
 * documents, and an archive large enough (> 200K tokens) to cross the long-context threshold.
 * Generated, so nothing large is committed.
 *
 * @module
 */

const WORDS = [
  'account',
  'invoice',
  'export',
  'dashboard',
  'permission',
  'workspace',
  'refund',
  'integration',
  'webhook',
  'latency',
  'report',
  'billing',
  'password',
  'token',
  'project',
  'archive',
  'upload',
  'sync',
  'team',
  'plan',
];

/** `words` words of deterministic filler text, varied by `seed`. */
function prose(seed: number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    const w = WORDS[(seed * 31 + i * 7 + ((i * i) % 13)) % WORDS.length] ?? 'item';
    out.push(i % 12 === 11 ? `${w}.` : w);
  }
  return out.join(' ');
}

/** The support knowledge base: ~24K characters, well above Anthropic's 1,024-token cache minimum. */
export function knowledgeBase(): string {
  return `You are the support assistant of Acme Cloud. Answer from this knowledge base only.\n\n${prose(1, 3_000)}`;
}

/** A customer's profile: ~7K characters, cached for 5 minutes per customer. */
export function customerProfile(customer: string): string {
  return `Customer ${customer}. Plan, integrations and open incidents:\n${prose(customer.length * 17, 900)}`;
}

export function ticketText(i: number): string {
  return `Ticket #${1000 + i}: ${prose(i + 100, 60 + (i % 40))}`;
}

/** A document of about `chars` characters. */
export function documentText(i: number, chars: number): string {
  return prose(i + 500, Math.max(1, Math.round(chars / 7))).slice(0, chars);
}

/** Every ticket ever filed: ~1 MB of text, over 200K input tokens. */
export function archiveText(): string {
  return `Ticket archive:\n${prose(7, 150_000)}`;
}
