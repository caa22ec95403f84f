// node-redis (node/node_modules/redis) through authgate's proxy: an ACL user allowed and denied,
// a transaction, a pipeline, RESP3. Prints one JSON line of observations; test_clients.py checks it.
const path = require('path')
const { createClient } = require(path.join(__dirname, '..', '..', 'node', 'node_modules', 'redis'))

async function main () {
  const port = Number(process.argv[2])
  const out = {}
  const admin = createClient({ socket: { port, host: '127.0.0.1' }, password: process.argv[3] })
  await admin.connect()
  await admin.sendCommand(['ACL', 'SETUSER', 'nodeuser', 'on', '>np', '~n:*', '+@all'])
  await admin.quit()
  const c = createClient({ socket: { port, host: '127.0.0.1' }, username: 'nodeuser', password: 'np', RESP: 3 })
  await c.connect()
  out.set = await c.set('n:1', 'v')
  out.get = await c.get('n:1')
  try {
    await c.get('other')
    out.denied = null
  } catch (e) {
    out.denied = e.message
  }
  out.hset = await c.hSet('n:h', { a: '1', b: '2' })
  out.hgetall = await c.hGetAll('n:h')
  out.multi = await c.multi().incr('n:c').incr('n:c').get('n:1').exec()
  const many = []
  for (let i = 0; i < 100; i++) many.push(c.incr('n:p'))
  out.pipeline = (await Promise.all(many)).slice(-1)[0]
  await c.quit()
  console.log(JSON.stringify(out))
}

main().catch((e) => { console.error(e); process.exit(1) })
