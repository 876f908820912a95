// Copies what tsc does not emit into dist/: node icons and codex files, workflow templates, and the
// SQL (bootstrap + migrations) that lib/store applies at run time.
const { src, dest, parallel } = require('gulp');

const copyNodeAssets = () => src(['nodes/**/*.{svg,png,json}', 'credentials/**/*.{svg,png}'], { base: '.', encoding: false }).pipe(dest('dist'));
const copyWorkflows = () => src('workflows/*.json', { base: '.', allowEmpty: true }).pipe(dest('dist'));
const copySql = () => src('supabase/**/*.sql', { base: '.' }).pipe(dest('dist'));

exports.build = parallel(copyNodeAssets, copyWorkflows, copySql);
exports.default = exports.build;
