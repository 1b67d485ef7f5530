// The README's caseworker-effort figures, counted rather than written by hand: a caseworker in real Chromium logs
// each kind of visit on the local chat page by clicking, every click on a button counted as a tap and every typed
// answer counted apart. Each visit is checked in the database (stored once, with the answers given or carried), the
// counts are written to docs/taps.json, and the README must quote exactly these numbers — a change that adds a tap
// fails here until the README and docs/taps.json say so. Skipped, with a notice, where Chromium is absent.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Browser, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { assignments, children, staff, visits } from '../../src/db/schema.js';
import { dimensions } from '../../src/domain/categories.js';
import { addDays } from '../../src/domain/dates.js';
import { riskNames } from '../../src/i18n/domain.js';
import { NOW } from '../support/world.js';
import { haveChromium, useBrowserRig } from './rig.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const TODAY = '2026-11-23';
const NOTE = '咳嗽一周，奶奶没带去看病';

/** What one visit cost: buttons clicked, answers typed, and the labels in order (for a reader of docs/taps.json). */
interface Effort {
  taps: number;
  typed: number;
  path: string[];
}

type Figure = 'routineFromMenu' | 'routineFromReminder' | 'oneChangeFromMenu' | 'fullFromMenu' | 'rosterBaselineFromMenu' | 'rosterBaselineFromReminder';

/** The README's sentence, built from the counts: the test fails when the README quotes other numbers. */
function readmeFigures(c: Record<Figure, Effort>): string {
  return (
    `a routine visit ("seen, nothing changed") is ${c.routineFromMenu.taps} taps from the menu and ${c.routineFromReminder.taps} from a ` +
    `reminder's 记录 button; a visit where one item changed, ${c.oneChangeFromMenu.taps} taps plus its note; the full form ` +
    `(逐项填写, every item answered), ${c.fullFromMenu.taps} taps; a child imported from a roster with a 最近走访日期 and no ` +
    `visit in the bot yet, ${c.rosterBaselineFromMenu.taps} taps from the menu and ${c.rosterBaselineFromReminder.taps} from a reminder ` +
    `("nothing changed" then asks only the six items the roster does not know)`
  );
}

/** A caseworker's hands on the page: each click on a button is a tap, each typed answer is counted apart. */
class Hands {
  private effort: Effort = { taps: 0, typed: 0, path: [] };
  constructor(readonly page: Page) {}

  begin(): void {
    this.effort = { taps: 0, typed: 0, path: [] };
  }

  end(): Effort {
    return this.effort;
  }

  lastBot(): Locator {
    return this.page.locator('.msg.bot').last();
  }

  /** Taps the button whose whole label is `label` in `where` (default: the newest bot message), and waits for the answer. */
  async tap(label: string, where: Locator = this.lastBot()): Promise<void> {
    const button = where.getByRole('button', { name: label, exact: true }).first();
    if ((await button.count()) === 0) throw new Error(`no button "${label}" in: ${await shown(where)}`);
    await button.click();
    this.effort.taps++;
    this.effort.path.push(label);
    await this.answered();
  }

  async type(text: string): Promise<void> {
    await this.page.locator('#text').fill(text);
    await this.page.locator('#send').click();
    this.effort.typed++;
    this.effort.path.push(`✎ ${text}`);
    await this.answered();
  }

  /** The newest bot message's button labels. */
  async labels(where: Locator = this.lastBot()): Promise<string[]> {
    return where.locator('button').allInnerTexts();
  }

  private async answered(): Promise<void> {
    await expect.poll(() => this.page.locator('.msg.me.pending').count()).toBe(0);
    expect(await this.page.locator('.msg.me.failed').count()).toBe(0);
  }
}

async function shown(where: Locator): Promise<string> {
  return `${await where.innerText()} [${(await where.locator('button').allInnerTexts()).join(' | ')}]`;
}

describe.runIf(haveChromium('browser taps test'))('caseworker effort, counted in a real browser', () => {
  let app: App;
  let browser: Browser;

  // Monday 2026-11-23 10:00 in Shanghai, running on from there: the demo county is seeded at that moment.
  const started = Date.now();
  useBrowserRig({ clock: () => new Date(NOW.getTime() + (Date.now() - started)), startScheduler: false }, (rig) => ({ app, browser } = rig));

  it('counts the taps of a routine, a one-change, a full and a roster-baseline visit, and the README quotes them', async () => {
    const db = app.database.db;
    const [li] = await db.select({ id: staff.id }).from(staff).where(eq(staff.name, '李主任'));
    /** 李主任's caseload in the picker's order (soonest due first). */
    const caseload = async () =>
      db
        .select({ id: children.id, name: children.name, risk: children.riskLevel, categories: children.categories, lastVisitOn: children.lastVisitOn, due: children.nextVisitDue })
        .from(children)
        .innerJoin(assignments, and(eq(assignments.childId, children.id), sql`${assignments.endedAt} is null`))
        .where(eq(assignments.staffId, li!.id))
        .orderBy(sql`${children.nextVisitDue} asc nulls first`, children.name, children.id);
    const lastVisit = async (child: number) => (await db.select().from(visits).where(eq(visits.childId, child)).orderBy(desc(visits.visitedOn), desc(visits.id)).limit(1))[0];
    const visitsToday = async (child: number) => db.select().from(visits).where(and(eq(visits.childId, child), eq(visits.visitedOn, TODAY)));

    // Two children never visited in the bot become roster imports: a 最近走访日期 five weeks ago, no visit row.
    const unvisited = (await caseload()).filter((c) => c.lastVisitOn === null).slice(0, 2);
    expect(unvisited).toHaveLength(2);
    for (const c of unvisited) await db.update(children).set({ lastVisitOn: addDays(TODAY, -34) }).where(eq(children.id, c.id));
    const rosterIds = new Set(unvisited.map((c) => c.id));

    // The morning's reminder reaches the page.
    await app.scheduler.tick(new Date('2026-11-23T01:00:00Z'));
    const page = await browser.newPage({ viewport: { width: 420, height: 860 } });
    await page.goto(`http://127.0.0.1:${app.port}/`);
    await expect.poll(() => page.locator('#title').innerText()).toBe('李主任');
    await expect.poll(() => page.locator('.msg.bot').last().innerText()).toContain('请选择要做的事');
    await app.scheduler.sender.runOnce();
    const reminder = page.locator('.msg.bot', { hasText: '⏰ 走访提醒' });
    await expect.poll(() => reminder.count(), { timeout: 10_000 }).toBe(1);
    const hands = new Hands(page);
    const counts = {} as Record<Figure, Effort>;
    const menu = () => page.locator('.msg.bot', { hasText: '请选择要做的事' }).last();
    const confirmAndCheck = async (child: number) => {
      await expect.poll(() => hands.lastBot().innerText()).toContain('请确认');
      await hands.tap('✅ 确认提交');
      await expect.poll(() => page.locator('.msg.bot', { hasText: '已保存（ZF-2026-' }).count()).toBeGreaterThan(0);
      const stored = await visitsToday(child);
      expect(stored).toHaveLength(1);
      return stored[0]!;
    };
    /** The first child on the picker's page that `fits`, tapped by its label. */
    const pickChild = async (fits: (c: Awaited<ReturnType<typeof caseload>>[number]) => Promise<boolean>) => {
      const labels = await hands.labels();
      for (const c of await caseload()) {
        const label = labels.find((l) => l === c.name || l.startsWith(`${c.name} · `));
        if (label && (await fits(c))) {
          await hands.tap(label);
          return c;
        }
      }
      throw new Error(`no fitting child on the picker: ${labels.join(' | ')}`);
    };
    const hasBotVisit = async (c: { id: number }) => (await lastVisit(c.id)) !== undefined;
    /** From the menu: 📝 记录走访, the first child on the picker that `fits`, and 今天 — three taps. */
    const fromMenu = async (fits: Parameters<typeof pickChild>[0]) => {
      await hands.tap('📝 记录走访', menu());
      const picked = await pickChild(fits);
      await hands.tap((await hands.labels()).find((l) => l.startsWith('今天'))!);
      return picked;
    };
    const fromReminder = async (fits: (c: { id: number }) => Promise<boolean>) => {
      const labels = (await hands.labels(reminder)).filter((l) => l.startsWith('记录 '));
      for (const c of await caseload()) {
        if (labels.includes(`记录 ${c.name}`) && (await fits(c)) && (await visitsToday(c.id)).length === 0) {
          await hands.tap(`记录 ${c.name}`, reminder);
          return c;
        }
      }
      throw new Error(`no fitting child in the reminder: ${labels.join(' | ')}`);
    };

    // 1. Routine, from the reminder: 记录, home, "seen, nothing changed", confirm (the date is today by default).
    hands.begin();
    let child: { id: number } = await fromReminder(hasBotVisit);
    let before = (await lastVisit(child.id))!;
    await hands.tap('入户');
    await hands.tap('见到本人，情况无变化');
    let saved = await confirmAndCheck(child.id);
    counts.routineFromReminder = hands.end();
    expect(saved).toMatchObject({ kind: 'home', childSeen: true, sameAsLast: true, dimensions: before.dimensions, riskAfter: before.riskAfter, guardianshipAgreement: before.guardianshipAgreement });

    // 2. Roster baseline, from the reminder: the six items the roster does not know are asked, all fine.
    hands.begin();
    child = await fromReminder(async (c) => rosterIds.has(c.id));
    await hands.tap('入户');
    await hands.tap('见到本人，情况无变化');
    for (let i = 0; i < dimensions.length; i++) await hands.tap('正常');
    saved = await confirmAndCheck(child.id);
    counts.rosterBaselineFromReminder = hands.end();
    expect(saved.dimensions).toEqual(Object.fromEntries(dimensions.map((d) => [d, { level: 'fine' }])));
    expect(saved).toMatchObject({ childSeen: true, sameAsLast: true });

    // 3. Routine, from the menu: 记录走访, the child, today, home, "seen, nothing changed", confirm.
    hands.begin();
    child = await fromMenu(hasBotVisit);
    before = (await lastVisit(child.id))!;
    await hands.tap('入户');
    await hands.tap('见到本人，情况无变化');
    saved = await confirmAndCheck(child.id);
    counts.routineFromMenu = hands.end();
    expect(saved).toMatchObject({ kind: 'home', childSeen: true, sameAsLast: true, dimensions: before.dimensions, riskAfter: before.riskAfter });

    // 4. One item changed: seen, 有变化, tick 健康状况, done, 需关注 + the note, confirm.
    hands.begin();
    child = await fromMenu(hasBotVisit);
    before = (await lastVisit(child.id))!;
    await hands.tap('入户');
    await hands.tap('见到本人');
    await hands.tap('有变化');
    await hands.tap('☐ 健康状况');
    await hands.tap('完成（已选1项）');
    await hands.tap('需关注');
    await hands.type(NOTE);
    saved = await confirmAndCheck(child.id);
    counts.oneChangeFromMenu = hands.end();
    expect(saved.dimensions).toEqual({ ...before.dimensions, health: { level: 'concern', note: NOTE } });
    expect(saved).toMatchObject({ sameAsLast: false, riskAfter: before.riskAfter, guardianshipAgreement: before.guardianshipAgreement });

    // 5. The full form, for a child the guardianship-agreement question applies to: every item answered.
    hands.begin();
    const full = await fromMenu(async (c) => (await hasBotVisit(c)) && (c.categories.includes('left_behind') || c.categories.includes('de_facto_unsupported')));
    await hands.tap('入户');
    await hands.tap('见到本人');
    await hands.tap('逐项填写');
    for (let i = 0; i < dimensions.length; i++) await hands.tap('正常');
    await hands.tap('是');
    await hands.tap('跳过');
    await hands.tap('跳过');
    await hands.tap('完成（0个附件）');
    await hands.tap(riskNames['zh-CN'][full.risk]!);
    const nextLabel = (await hands.labels())[0]!;
    await hands.tap(nextLabel);
    saved = await confirmAndCheck(full.id);
    counts.fullFromMenu = hands.end();
    expect(saved).toMatchObject({
      sameAsLast: false,
      dimensions: Object.fromEntries(dimensions.map((d) => [d, { level: 'fine' }])),
      guardianshipAgreement: true,
      needs: null,
      helpGiven: null,
      riskAfter: full.risk,
    });

    // 6. Roster baseline, from the menu.
    hands.begin();
    child = await fromMenu(async (c) => rosterIds.has(c.id) && (await visitsToday(c.id)).length === 0);
    await hands.tap('入户');
    await hands.tap('见到本人，情况无变化');
    for (let i = 0; i < dimensions.length; i++) await hands.tap('正常');
    saved = await confirmAndCheck(child.id);
    counts.rosterBaselineFromMenu = hands.end();
    expect(saved.dimensions).toEqual(Object.fromEntries(dimensions.map((d) => [d, { level: 'fine' }])));

    // Six visits today, one each; nothing typed but the one note.
    expect((await db.select().from(visits).where(eq(visits.visitedOn, TODAY))).length).toBe(6);
    expect(Object.values(counts).map((c) => c.typed)).toEqual([0, 0, 0, 1, 0, 0]);

    // The targets.
    expect(counts.routineFromReminder.taps).toBeLessThanOrEqual(4);
    expect(counts.routineFromMenu.taps).toBeLessThanOrEqual(6);
    expect(counts.oneChangeFromMenu.taps).toBeLessThanOrEqual(10);

    const figures = {
      routineFromMenu: counts.routineFromMenu,
      routineFromReminder: counts.routineFromReminder,
      oneChangeFromMenu: counts.oneChangeFromMenu,
      fullFromMenu: counts.fullFromMenu,
      rosterBaselineFromMenu: counts.rosterBaselineFromMenu,
      rosterBaselineFromReminder: counts.rosterBaselineFromReminder,
    };
    writeFileSync(join(root, 'docs/taps.json'), `${JSON.stringify({ countedBy: 'test/browser/taps.test.ts', day: TODAY, ...figures }, null, 2)}\n`);
    const readme = readFileSync(join(root, 'README.md'), 'utf8').replace(/\s*\n\s*/g, ' ');
    expect(readme).toContain(readmeFigures(figures));
    await page.close();
  });
});
