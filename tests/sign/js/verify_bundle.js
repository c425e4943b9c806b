// Verifies a Sigstore bundle with a public key using the official Sigstore JavaScript libraries
// (@sigstore/bundle to parse and validate, @sigstore/verify to verify), for
// tests/sign/test_sigstore_js.py.
//
//   node verify_bundle.js MODULES_DIR BUNDLE.json KEY.pem [ARTIFACT]
//
// MODULES_DIR is the node_modules holding @sigstore/* (make test installs them into
// .cache/npm/node_modules). The trust material holds no CA, TSA, Rekor or CT log and only
// this key, registered under the hint cosign writes (base64 SHA-256 of its DER SPKI), so the
// library's own key lookup by hint runs; the verifier is told to require 0 tlog entries, 0
// SCTs and 0 timestamps (an offline, keyed bundle has none). What runs is then the library's
// bundle validation (bundleFromJSON: assertBundleLatest for v0.3), its key lookup and its
// signature check (DSSE: over the PAE; message signature: over ARTIFACT). The library does
// not compare a message signature's messageDigest with the artifact (it uses it only against
// a tlog entry); this script does that itself, with node's crypto, and says so.
//
// Prints "OK <kind>" and exits 0, or prints the error and exits 1 (2 for usage).
'use strict';
const fs = require('fs');
const path = require('path');
const nodeCrypto = require('crypto');
const { createRequire } = require('module');

const [modules, bundlePath, keyPath, artifactPath] = process.argv.slice(2);
if (!modules || !bundlePath || !keyPath) {
  console.error('usage: node verify_bundle.js MODULES_DIR BUNDLE.json KEY.pem [ARTIFACT]');
  process.exit(2);
}
const req = createRequire(path.join(path.resolve(modules), 'noop.js'));
const { bundleFromJSON } = req('@sigstore/bundle');
const { Verifier, toSignedEntity, toTrustMaterial } = req('@sigstore/verify');

try {
  const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
  const key = nodeCrypto.createPublicKey(fs.readFileSync(keyPath));
  const der = key.export({ type: 'spki', format: 'der' });
  const hint = nodeCrypto.createHash('sha256').update(der).digest('base64');
  const root = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    certificateAuthorities: [],
    timestampAuthorities: [],
    tlogs: [],
    ctlogs: [],
  };
  const trust = toTrustMaterial(root, { [hint]: { rawBytes: der } });
  const verifier = new Verifier(trust, {
    tlogThreshold: 0,
    ctlogThreshold: 0,
    timestampThreshold: 0,
  });
  const artifact = artifactPath ? fs.readFileSync(artifactPath) : undefined;
  const kind = bundle.content.$case;
  if (kind === 'messageSignature') {
    if (!artifact) throw new Error('a message signature bundle needs the artifact');
    const md = bundle.content.messageSignature.messageDigest;
    const actual = nodeCrypto.createHash('sha256').update(artifact).digest();
    if (!actual.equals(Buffer.from(md.digest))) {
      throw new Error('(script check) messageDigest does not match the artifact');
    }
  }
  verifier.verify(toSignedEntity(bundle, artifact));
  console.log(`OK ${kind}`);
} catch (err) {
  const fields = err.fields ? ` (${err.fields.join(', ')})` : '';
  console.log(`FAILED ${err.constructor.name}: ${err.code || ''} ${err.message}${fields}`);
  process.exit(1);
}
