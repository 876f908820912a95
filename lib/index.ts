/** The library behind the nodes, usable without n8n: `require('n8n-nodes-brand-infinity')`. */
export * from './domain/errors';
export * from './domain/money';
export * from './store';
export * from './pricing/price-table';
