// Lets a plain `node` child process (used by tests that need a second process, and the benches)
// require lib/*.ts. Transpiled files are cached on disk by content, and TypeScript loads only on a
// miss: a warmed process does not carry the compiler (about 50 MB), which the benches' peak RSS
// would otherwise count.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const OPTIONS = { module: 'CommonJS', target: 'ES2022', esModuleInterop: true };
const cacheDir = path.join(os.tmpdir(), 'bi-ts-register-cache');
const version = require('typescript/package.json').version;
let ts;

function transpile(source, filename) {
	ts ??= require('typescript');
	const { outputText } = ts.transpileModule(source, {
		fileName: filename,
		compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
	});
	return outputText;
}

require.extensions['.ts'] = (module, filename) => {
	const source = fs.readFileSync(filename, 'utf8');
	const key = crypto.createHash('sha256').update(`${version}\n${JSON.stringify(OPTIONS)}\n${filename}\n${source}`).digest('hex');
	const cached = path.join(cacheDir, `${key}.js`);
	let output;
	try {
		output = fs.readFileSync(cached, 'utf8');
	} catch {
		output = transpile(source, filename);
		try {
			fs.mkdirSync(cacheDir, { recursive: true });
			const temp = `${cached}.${process.pid}.tmp`;
			fs.writeFileSync(temp, output);
			fs.renameSync(temp, cached);
		} catch {
			// A read-only temp dir only costs the next process a transpile.
		}
	}
	module._compile(output, filename);
};
