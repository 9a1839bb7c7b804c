/**
 * Grouped alert messages in Block Kit: one message per channel per scan (split into parts to
 * stay within Slack's limits) listing new, still-lagging and resolved items. Each item is a
 * section whose fields read like a table row: cluster, namespace, workload, running, newest,
 * lagging for. The plain-text `text` fallback keeps the old one-line wording for each item.
 *
 * Everything from a cluster or a registry is a cleaned code span in `verbatim` mrkdwn (see
 * slackText.ts), so a name cannot add a line, a link or a mention; in the fallback it is
 * cleaned and escaped.
 */
import type { AlertAction } from '../model/alert.js';
import { shortDigestOrUnknown } from '../model/digest.js';
import type { Finding } from '../model/finding.js';
import { formatDuration } from '../util/duration.js';
import { alertLine, cleanSlackValue, codeSpan, escapeSlackText, plainSlackValue } from './slackText.js';

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface MrkdwnText {
  type: 'mrkdwn';
  text: string;
  /** Always true here: Slack does not auto-link URLs or channel names, or parse mentions, in it. */
  verbatim: true;
}
export interface HeaderBlock {
  type: 'header';
  text: PlainText;
}
export interface SectionBlock {
  type: 'section';
  text?: MrkdwnText;
  fields?: MrkdwnText[];
}
export interface ContextBlock {
  type: 'context';
  elements: MrkdwnText[];
}
export interface DividerBlock {
  type: 'divider';
}
export type SlackBlock = HeaderBlock | SectionBlock | ContextBlock | DividerBlock;

export interface AlertMessageItem {
  action: AlertAction;
  cluster: string;
  /** The lagging finding: this scan's for new and reminder items, the last one seen for resolved ones. */
  finding: Finding;
  /** Resolved items: what the container runs now; absent when the workload is gone. */
  current?: Finding;
  /** ISO time since when the workload lags. */
  laggingSince: string;
}

export interface MessageLimits {
  /** Slack: at most 50 blocks per message. */
  maxBlocks: number;
  /** Budget for the `text` fallback and, separately, for the serialised blocks (Slack cuts text at 40,000). */
  maxChars: number;
  /** Slack: 3,000 characters per section text. */
  maxSectionChars: number;
  /** Slack: 2,000 characters per field. */
  maxFieldChars: number;
}

export const SLACK_MESSAGE_LIMITS: MessageLimits = {
  maxBlocks: 50,
  maxChars: 38_000,
  maxSectionChars: 3_000,
  maxFieldChars: 2_000,
};

export interface RenderedMessage {
  text: string;
  blocks: SlackBlock[];
  /** The items this message lists (the objects passed in). */
  items: AlertMessageItem[];
}

export interface RenderOptions {
  now: Date;
  /** A line shown at the top, e.g. why the message is in the fallback channel (plain text, escaped here). */
  note?: string;
  limits?: Partial<MessageLimits>;
}

const GROUPS: ReadonlyArray<{ action: AlertAction; heading: string; textHeading: string }> = [
  { action: 'new', heading: ':warning: *New*: running an older image than the newest release', textHeading: 'New:' },
  { action: 'reminder', heading: ':hourglass_flowing_sand: *Still lagging* (reminder)', textHeading: 'Still lagging (reminder):' },
  { action: 'resolved', heading: ':white_check_mark: *Resolved*', textHeading: 'Resolved:' },
];

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

function mrkdwn(text: string): MrkdwnText {
  return { type: 'mrkdwn', text, verbatim: true };
}

/** `repo:tag`, `repo:tag @ sha256:…` (stale digest) or `repo@sha256:…` (digest-pinned). */
function runningImage(f: Finding, withDigest: boolean): string {
  const repository = f.repository ?? f.image;
  if (f.deployedTag) return withDigest ? `${repository}:${f.deployedTag} @ ${shortDigestOrUnknown(f.deployedDigest)}` : `${repository}:${f.deployedTag}`;
  return `${repository}@${shortDigestOrUnknown(f.deployedDigest)}`;
}

function newestImage(f: Finding): string {
  const tag = f.latestTag ?? 'unknown';
  return f.status === 'stale-digest' ? `${tag} @ ${shortDigestOrUnknown(f.latestDigest)}` : tag;
}

function pushedAt(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : ` (pushed ${date.toISOString().slice(0, 16).replace('T', ' ')} UTC)`;
}

function lagFor(item: AlertMessageItem, now: Date): string {
  const since = Date.parse(item.laggingSince);
  return Number.isNaN(since) ? 'unknown' : formatDuration(Math.max(0, now.getTime() - since));
}

function itemFields(item: AlertMessageItem, now: Date): string[] {
  const f = item.finding;
  const code = codeSpan;
  const workload = `${code(`${f.workload.kind}/${f.workload.name}`)} · container ${code(f.container)}`;
  const common = [`*Cluster*\n${code(item.cluster)}`, `*Namespace*\n${code(f.namespace)}`, `*Workload*\n${workload}`];
  const stale = f.status === 'stale-digest';
  if (item.action === 'resolved') {
    const current = item.current;
    const nowRunning = current
      ? `${code(runningImage(current, false))}${current.status === 'in-sync' ? ' (newest)' : current.status === 'untracked' ? ' (no longer tracked)' : ''}`
      : 'workload gone';
    return [...common, `*Was running*\n${code(runningImage(f, stale))}`, `*Now*\n${nowRunning}`, `*Lagged for*\n${lagFor(item, now)}`];
  }
  const restart = stale ? `\nrestart ${code(`${f.namespace}/${f.workload.name}`)} to pick it up` : '';
  return [
    ...common,
    `*Running*\n${code(runningImage(f, stale))}`,
    `*Newest*\n${code(newestImage(f))}${pushedAt(f.latestUpdatedAt)}${restart}`,
    `*Lagging for*\n${lagFor(item, now)}`,
  ];
}

/** The old one-line wording, or for a resolved item a line of the same shape. */
export function itemTextLine(item: AlertMessageItem, now: Date): string {
  if (item.action !== 'resolved') return alertLine(item.cluster, item.finding);
  const f = item.finding;
  const v = plainSlackValue;
  const where = `${v(`${f.namespace}/${f.workload.name}`)} (container ${v(f.container)})`;
  const current = item.current ? `now runs ${v(runningImage(item.current, false))}` : 'is gone';
  return `Resolved: on AKS cluster ${v(item.cluster)}, ${where} ${current} (was ${v(runningImage(f, f.status === 'stale-digest'))}; lagged ${lagFor(item, now)}).`;
}

function headerText(counts: Record<AlertAction, number>, part: number, parts: number): string {
  const bits: string[] = [];
  if (counts.new) bits.push(`${counts.new} new`);
  if (counts.reminder) bits.push(`${counts.reminder} still lagging`);
  if (counts.resolved) bits.push(`${counts.resolved} resolved`);
  const suffix = parts > 1 ? ` (part ${part} of ${parts})` : '';
  return truncate(`Image drift: ${bits.join(', ')}${suffix}`, 150);
}

interface Part {
  items: AlertMessageItem[];
  blocks: SlackBlock[];
  textLines: string[];
  blockChars: number;
  textChars: number;
  lastGroup: AlertAction | null;
}

type Group = (typeof GROUPS)[number];

/** What opens every part: the header (filled in at the end) and the escaped note, if any. */
interface Opening {
  note: string | undefined;
  blocks: number;
  chars: number;
}

/** One item as it will be listed: its section, its fallback line and the section's serialised size. */
interface ListedItem {
  item: AlertMessageItem;
  section: SectionBlock;
  line: string;
  sectionChars: number;
}

function opening(note: string | undefined): Opening {
  return { note, blocks: note ? 2 : 1, chars: 200 + (note ? note.length + 60 : 0) };
}

function emptyPart(open: Opening): Part {
  return { items: [], blocks: [], textLines: open.note ? [open.note] : [], blockChars: open.chars, textChars: open.chars, lastGroup: null };
}

function listItem(item: AlertMessageItem, now: Date, limits: MessageLimits): ListedItem {
  const fields = itemFields(item, now).map((text) => mrkdwn(truncate(text, limits.maxFieldChars)));
  const section: SectionBlock = { type: 'section', fields };
  return { item, section, line: itemTextLine(item, now), sectionChars: JSON.stringify(section).length };
}

/** Whether the item (and its group's heading, if the part does not have it yet) still fits in the part. */
function fits(part: Part, group: Group, listed: ListedItem, open: Opening, limits: MessageLimits): boolean {
  const opensGroup = part.lastGroup !== group.action;
  const blocks = open.blocks + part.blocks.length + 1 + (opensGroup ? (part.lastGroup ? 2 : 1) : 0);
  const headingChars = opensGroup ? group.heading.length + 80 : 0;
  return (
    blocks <= limits.maxBlocks &&
    part.blockChars + listed.sectionChars + headingChars <= limits.maxChars &&
    part.textChars + listed.line.length + 1 + (opensGroup ? group.textHeading.length + 1 : 0) <= limits.maxChars
  );
}

function addItem(part: Part, group: Group, listed: ListedItem, limits: MessageLimits): void {
  if (part.lastGroup !== group.action) {
    if (part.lastGroup) part.blocks.push({ type: 'divider' });
    const heading: SectionBlock = { type: 'section', text: mrkdwn(truncate(group.heading, limits.maxSectionChars)) };
    part.blocks.push(heading);
    part.blockChars += JSON.stringify(heading).length + 20;
    part.textLines.push(group.textHeading);
    part.textChars += group.textHeading.length + 1;
    part.lastGroup = group.action;
  }
  part.blocks.push(listed.section);
  part.blockChars += listed.sectionChars;
  part.textLines.push(listed.line);
  part.textChars += listed.line.length + 1;
  part.items.push(listed.item);
}

/** The items by group, in parts that each stay within the limits; no empty part. */
function packParts(items: readonly AlertMessageItem[], now: Date, open: Opening, limits: MessageLimits): Part[] {
  let part = emptyPart(open);
  const parts: Part[] = [part];
  for (const group of GROUPS) {
    for (const item of items.filter((i) => i.action === group.action)) {
      const listed = listItem(item, now, limits);
      if (part.items.length > 0 && !fits(part, group, listed, open, limits)) {
        part = emptyPart(open);
        parts.push(part);
      }
      addItem(part, group, listed, limits);
    }
  }
  return parts.filter((p) => p.items.length > 0);
}

/** A part as a message: the header counting its items, the note, its blocks; the text fallback likewise. */
function partMessage(part: Part, partNumber: number, partCount: number, note: string | undefined, limits: MessageLimits): RenderedMessage {
  const counts: Record<AlertAction, number> = { new: 0, reminder: 0, resolved: 0 };
  for (const item of part.items) counts[item.action] += 1;
  const header = headerText(counts, partNumber, partCount);
  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: header, emoji: true } }];
  if (note) blocks.push({ type: 'context', elements: [mrkdwn(`:information_source: ${note}`)] });
  blocks.push(...part.blocks);
  return { text: truncate([header, ...part.textLines].join('\n'), limits.maxChars), blocks, items: part.items };
}

/**
 * The messages for these items (one, or several parts when the limits require). Items are
 * listed by group (new, reminder, resolved) in the order given.
 */
export function renderAlertMessages(items: readonly AlertMessageItem[], options: RenderOptions): RenderedMessage[] {
  const limits = { ...SLACK_MESSAGE_LIMITS, ...options.limits };
  const note = options.note ? escapeSlackText(cleanSlackValue(options.note, limits.maxFieldChars)) : undefined;
  const parts = packParts(items, options.now, opening(note), limits);
  return parts.map((part, index) => partMessage(part, index + 1, parts.length, note, limits));
}
