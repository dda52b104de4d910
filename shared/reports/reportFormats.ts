/** The formats a report is made in: by the API, the CLI, schedules and the console's downloads. */
export const REPORT_FORMATS = ['json', 'csv', 'xlsx', 'pdf', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
