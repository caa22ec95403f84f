// node-redis over TLS with a client certificate: prints ACL WHOAMI.
// Usage: node node_login.js NODE_MODULES PORT CA CERT KEY
'use strict';
const fs = require('fs');
const path = require('path');
const [modules, port, ca, cert, key] = process.argv.slice(2);
const { createClient } = require(path.join(modules, 'redis'));

(async () => {
  const client = createClient({
    socket: {
      host: '127.0.0.1',
      port: Number(port),
      tls: true,
      servername: 'localhost',
      ca: fs.readFileSync(ca),
      cert: fs.readFileSync(cert),
      key: fs.readFileSync(key),
      reconnectStrategy: false,
    },
  });
  client.on('error', (e) => { console.error(`error: ${e.message}`); process.exitCode = 1; });
  await client.connect();
  console.log(await client.sendCommand(['ACL', 'WHOAMI']));
  await client.quit();
})().catch((e) => { console.error(`error: ${e.message}`); process.exit(1); });
