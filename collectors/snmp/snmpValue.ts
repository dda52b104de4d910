/** An SNMP value: numbers for integers, counters, gauges and timeticks; bigint for Counter64. */
export type SnmpValue = number | bigint | Buffer | string;
