/** Renders the measurement schema as a Markdown document. */
import { MEASUREMENTS, RETENTION_POLICIES } from '../../shared/schema/measurements.ts';
import { RESAMPLE_FOR, ROLLUP_STEPS } from '../../shared/schema/rollups.ts';

export function renderSchemaDocument(): string {
  const out: string[] = ['# InfluxDB measurement schema', ''];
  out.push('## Retention policies', '', '| name | keeps | shard group | default | holds |', '|---|---|---|---|---|');
  for (const rp of RETENTION_POLICIES) {
    out.push(`| \`${rp.name}\` | ${rp.duration} | ${rp.shardGroupDuration} | ${rp.isDefault ? 'yes' : ''} | ${rp.description} |`);
  }
  out.push('', 'Rollups are kept by continuous queries:');
  for (const step of ROLLUP_STEPS) {
    out.push(`- \`${step.from}\` → \`${step.into}\` every ${step.interval}, recomputing the last ${RESAMPLE_FOR[step.into]} for late (spooled) points.`);
  }
  for (const m of Object.values(MEASUREMENTS)) {
    out.push('', `## \`${m.name}\``, '', m.description, '', `Written by: ${m.writtenBy}.`, '');
    out.push('| tag | value |', '|---|---|');
    for (const [tag, desc] of Object.entries(m.tags)) out.push(`| \`${tag}\` | ${desc} |`);
    out.push('', '| field | type | unit | meaning |', '|---|---|---|---|');
    for (const [field, f] of Object.entries(m.fields)) out.push(`| \`${field}\` | ${f.type} | ${f.unit} | ${f.description} |`);
    if ('rollup' in m) {
      out.push('', `Rollup fields: ${m.rollup.map((r) => `\`${r.field}\` = ${r.fn}(${'source' in r ? r.source : r.field})`).join(', ')}.`);
    }
  }
  return out.join('\n');
}
