import { EXIT, type Command } from '../command.ts';
import { renderSchemaDocument } from '../render/schemaDocument.ts';

export const schemaCommand: Command = {
  summary: 'print the InfluxDB measurement schema (measurements, tags, fields, units, retention)',
  usage: `Usage: nms schema

Prints the measurement schema as Markdown: the one contract that the writer,
alarms, reports, API and Grafana dashboards all follow. It is generated from
shared/schema/measurements.ts, so it is never out of date.`,
  options: {},
  maxPositionals: 0,
  async run() {
    console.log(renderSchemaDocument());
    return EXIT.ok;
  },
};
