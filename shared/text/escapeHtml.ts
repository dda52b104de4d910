/** Text made inert for the few places that take HTML (ECharts tooltips, the report page): every string from a device or a person. */
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
