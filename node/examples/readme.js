// The Node.js example of README.md; test/install.test.js runs it against the package installed
// from `npm pack` into a fresh project.
const { Acl, Server } = require('authgate')
const { createClient } = require('redis')

async function main() {
  const acl = new Acl()
  acl.setuser('alice', 'on', '>secret', '~cache:*', '+get', '+set')
  console.log(acl.authenticate('alice', 'secret')) // true
  try {
    acl.check('alice', 'DEL', 'cache:1')
  } catch (e) {
    console.log(e.code, e.reason, e.object, e.message) // NOPERM command del NOPERM this user has no permissions to run the 'del' command
  }
  // The non-throwing forms, for hot paths: a boolean, or the denial as a plain object (null if allowed).
  console.log(acl.allowed('alice', 'DEL', 'cache:1'), acl.denial('alice', 'DEL', 'cache:1').reason) // false command

  // A RESP server sharing the engine (nothing set: 127.0.0.1, a free port).
  const server = new Server({ acl })
  const port = await server.start()
  const r = createClient({ socket: { host: server.host, port }, username: 'alice', password: 'secret' })
  await r.connect()
  console.log(await r.set('cache:1', 'v')) // OK
  acl.setuser('alice', '-set') // applies to the open connection at once
  await r.set('cache:1', 'w').catch((e) => console.log(e.message)) // NOPERM this user has no permissions to run the 'set' command
  await r.close()
  await server.stop()
}

main()
