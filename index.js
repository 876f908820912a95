// The package's library API (lib/), for use outside n8n. The n8n nodes are listed in package.json "n8n".
module.exports = require('./dist/lib/index.js');
