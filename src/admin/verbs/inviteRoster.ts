// `invite --roster <staff list>`: codes for a whole county at once. A dry run first (who is new, who gets a new
// code, which rows are refused); with --apply, the codes in one transaction and a printable invite sheet.
import { audit } from '../../db/audit.js';
import { createInvite } from '../../db/invites.js';
import { staff } from '../../db/schema.js';
import { rosterText } from '../../i18n/sections/roster.js';
import { planStaffInvites, type StaffRow } from '../../roster/staffRoster.js';
import { readTable, tableFormat } from '../../roster/table.js';
import { todayIn } from '../../domain/dates.js';
import { say, type AdminContext } from '../context.js';
import { EXIT_SOME_REJECTED } from '../exitCodes.js';
import { formatDateTime } from '../format.js';
import { inviteSheetHtml, inviteSheetPdf, type SheetCard } from '../inviteSheet.js';
import { redeemLinks } from '../redeemLinks.js';

export async function inviteRoster(ctx: AdminContext, file: string, o: { days: number; apply: boolean; out?: string }): Promise<number> {
  const rows = await planStaffInvites(ctx.db, await readTable(await ctx.io.readFile(file), tableFormat(file)));
  const good = rows.filter((r) => r.reasons.length === 0);
  const rejected = rows.length - good.length;
  const role = (r: StaffRow) => (r.role ? say(ctx, `role.${r.role}`) : '');
  const area = (r: StaffRow) => `${r.areaName ?? ''} ${r.areaCode}`.trim();
  for (const r of rows) {
    if (r.reasons.length > 0) {
      const reasons = r.reasons.map((x) => rosterText(ctx.locale, x.key, x.params)).join(say(ctx, 'roster.separator'));
      ctx.io.out(say(ctx, 'invite.row.rejected', { line: r.line, name: r.name || say(ctx, 'roster.noName'), reasons }));
    } else if (r.staffId === undefined) ctx.io.out(say(ctx, 'invite.row.new', { line: r.line, name: r.name, role: role(r), area: area(r) }));
    else ctx.io.out(say(ctx, 'invite.row.reissue', { line: r.line, name: r.name, id: r.staffId, role: role(r), area: area(r) }));
  }
  const created = good.filter((r) => r.staffId === undefined).length;
  const reissued = good.length - created;
  if (!o.apply) {
    ctx.io.out(say(ctx, 'invite.batch.dryRun', { created, reissued, rejected }));
    return rejected > 0 ? EXIT_SOME_REJECTED : 0;
  }
  const now = ctx.now();
  const issued = await ctx.db.transaction(async (tx) => {
    const out: { row: StaffRow; code: string; expiresAt: Date; revoked: number }[] = [];
    for (const row of good) {
      let staffId = row.staffId;
      if (staffId === undefined) {
        const [person] = await tx.insert(staff).values({ name: row.name, role: row.role!, areaCode: row.areaCode }).returning({ id: staff.id });
        staffId = person!.id;
      }
      const invite = await createInvite(tx, { role: row.role!, areaCode: row.areaCode, name: row.name, staffId, now, validDays: o.days });
      out.push({ row, ...invite });
    }
    await audit(tx, { actorStaffId: null, channel: 'cli', action: 'invite.roster', detail: { invites: out.length, created, reissued, revoked: out.reduce((n, i) => n + i.revoked, 0) }, at: now });
    return out;
  });
  const cards: SheetCard[] = issued.map(({ row, code, expiresAt }) => ({
    name: row.name,
    role: role(row),
    area: area(row),
    code,
    validUntil: formatDateTime(expiresAt, ctx.config.TZ_NAME).slice(0, 16),
  }));
  const title = say(ctx, 'sheet.title', { date: todayIn(ctx.config.TZ_NAME, now) });
  const html = await inviteSheetHtml(cards, await redeemLinks(ctx.config), ctx.locale, title);
  await ctx.io.writeFile(o.out!, html);
  const revoked = issued.reduce((n, i) => n + i.revoked, 0);
  ctx.io.out(say(ctx, 'invite.batch.done', { count: issued.length, created, reissued, revoked, rejected }));
  ctx.io.out(say(ctx, 'invite.batch.sheet', { file: o.out! }));
  const pdf = await inviteSheetPdf(html, ctx.config.CHROMIUM_PATH);
  if (pdf) {
    const pdfFile = o.out!.replace(/\.html?$/i, '') + '.pdf';
    await ctx.io.writeFile(pdfFile, pdf);
    ctx.io.out(say(ctx, 'invite.batch.pdf', { file: pdfFile }));
  } else ctx.io.out(say(ctx, 'invite.batch.noPdf', { path: ctx.config.CHROMIUM_PATH }));
  return rejected > 0 ? EXIT_SOME_REJECTED : 0;
}
