// A second process that opens an embedded store and reports what happened as one JSON line.
require('./ts-register');
const { EmbeddedTransport } = require('../../lib/store/embedded');

(async () => {
	try {
		const t = await EmbeddedTransport.open(process.argv[2]);
		const [{ n }] = await t.session.rows('select count(*)::int as n from public.brands');
		await t.close();
		console.log(JSON.stringify({ opened: true, brands: n }));
	} catch (err) {
		console.log(JSON.stringify({ opened: false, name: err.name, code: err.code, message: err.message }));
	}
})();
