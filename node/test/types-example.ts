// A typed tour of the package, compiled by test/types.test.js with `tsc --strict --noEmit`.
// Every `@ts-expect-error` line must be rejected by index.d.ts, so wrong usage is caught too.

import {
  Acl,
  AclOptions,
  AclSettings,
  Arg,
  AuthgateError,
  CertLogin,
  CertUserMap,
  ClientCert,
  Denial,
  ErrorCode,
  LogEntry,
  NatsAuth,
  NatsCredentials,
  NatsIdentity,
  PermissionDeniedError,
  PubsubDefault,
  SelectorInfo,
  Server,
  SubjectPolicy,
  ServerOptions,
  UserInfo,
  debugPanic,
  debugPanicAfterArgs,
  debugPanicAsync,
  genpass,
} from '..'

function isPermissionDenied(e: unknown): e is PermissionDeniedError {
  return e instanceof Error && (e as AuthgateError).code === 'NOPERM'
}

export async function tour(): Promise<number> {
  const options: AclOptions = { pubsubDefault: 'resetchannels', logMaxLen: 64 }
  const acl: Acl = new Acl(options)
  const plain = new Acl()
  plain.setuser('bob')
  const settings: AclSettings = acl.options()
  const current: PubsubDefault = acl.pubsubDefault
  const max: number = acl.logMaxLen + settings.logMaxLen
  acl.pubsubDefault = 'allchannels'
  acl.pubsubDefault = Buffer.from('resetchannels')
  acl.logMaxLen = 32
  acl.setOptions({ logMaxLen: 16 })
  acl.setOptions({ pubsubDefault: 'allchannels', logMaxLen: 8 })
  acl.setRequirepass('rootpw')
  acl.setRequirepass(Buffer.from([0xff]))
  void [current, max]

  acl.setuser('alice', 'on', '>secret', '~cache:*', '+get', '+set')
  acl.setuser(Buffer.from('bin\xff', 'latin1'), 'on', Buffer.from([0x3e, 0xff]))
  const removed: number = acl.deluser('bob', Buffer.from('carol'))

  const ok: boolean = acl.authenticate('alice', 'secret') && acl.authenticate(Buffer.from('alice'), 'secret')
  acl.check('alice', 'GET', 'cache:1')
  try {
    acl.check('alice', 'GET', 'other')
  } catch (e) {
    if (isPermissionDenied(e)) {
      const reason: 'command' | 'key' | 'channel' = e.reason
      const what: string = `${e.code} ${reason} ${e.object} ${e.command}: ${e.message}`
      void what
    }
  }
  const verdict: string = acl.dryrun('alice', 'SET', 'cache:1', 'v')
  const may: boolean = acl.allowed('alice', 'GET', Buffer.from('cache:1'))
  const denial: Denial | null = acl.denial('alice', 'GET', 'other')
  if (denial !== null) {
    const why: string = `${denial.reason} ${denial.command} ${denial.object}: ${denial.message}`
    void why
  }
  void may

  const info: UserInfo | null = acl.getuser('alice')
  if (info !== null) {
    const flags: string[] = info.flags
    const selectors: SelectorInfo[] = info.selectors
    void [flags, selectors, info.passwords, info.commands, info.keys, info.channels]
  }
  const users: string[] = acl.users()
  const lines: string[] = acl.list()
  const categories: string[] = acl.cat()
  const keyspace: string[] = acl.cat('keyspace')
  const entries: LogEntry[] = acl.log(5)
  for (const entry of entries) {
    const r: 'command' | 'key' | 'channel' | 'auth' = entry.reason
    void [r, entry.count, entry.context, entry.object, entry.username, entry.ageSeconds, entry.clientInfo]
  }
  acl.logReset()

  acl.save('/tmp/authgate-types.acl')
  await acl.saveAsync('/tmp/authgate-types.acl')
  acl.load('/tmp/authgate-types.acl')
  await acl.loadAsync(Buffer.from('/tmp/authgate-types.acl'))
  acl.checkAclfile('/tmp/authgate-types.acl')
  const copy: Acl = Acl.fromFile('/tmp/authgate-types.acl', { pubsubDefault: 'allchannels' })
  const copy2: Acl = await Acl.fromFileAsync('/tmp/authgate-types.acl')

  const password: string = genpass() + genpass(128) + acl.genpass() + acl.genpass(64)

  const serverOptions: ServerOptions = { acl, host: '127.0.0.1', port: 0, maxclients: 10 }
  const server = new Server(serverOptions)
  const before: number | null = server.port
  const port: number = await server.start()
  const same: number | null = server.port
  const running: boolean = server.running
  const host: string = server.host
  const again: number = await server.restart()
  const wasRunning: boolean = await server.stop()
  const fromFile = new Server({ acl, config: '/etc/redis/redis.conf', port: 0, requirepass: Buffer.from('pw'), aclfile: '/tmp/a.acl' })
  void [before, again, wasRunning, fromFile]

  try {
    debugPanic('typed')
    debugPanicAfterArgs(['typed', Buffer.from('bytes')])
    await debugPanicAsync('typed')
  } catch (e) {
    const err = e as AuthgateError
    const code: ErrorCode = err.code
    const errno: number | undefined = err.errno
    const milvus: number | undefined = err.milvusCode
    const detail: string | undefined = err.detail
    void [code, errno, milvus, detail]
  }

  const arg: Arg = Buffer.from('x')
  void [removed, ok, verdict, users, lines, categories, keyspace, copy, copy2, password, same, running, host, arg]
  return port
}

export function misuse(acl: Acl): void {
  // @ts-expect-error: argv entries are strings or Buffers
  acl.check('alice', 'GET', 42)
  // @ts-expect-error: check needs a user
  acl.check()
  // @ts-expect-error: setuser returns nothing
  const n: number = acl.setuser('x')
  // @ts-expect-error: getuser may return null
  const flags: string[] = acl.getuser('x').flags
  // @ts-expect-error: no such option value
  new Acl({ pubsubDefault: 'sometimes' })
  // @ts-expect-error: the old option names are gone
  new Acl({ aclPubsubDefault: 'allchannels' })
  // @ts-expect-error: logMaxLen is a number
  acl.logMaxLen = '5'
  // @ts-expect-error: options() is read-only data, pubsubDefault is one of two values
  const pd: 'everything' = acl.options().pubsubDefault
  // @ts-expect-error: a Server needs an Acl
  new Server({ port: 0 })
  // @ts-expect-error: start resolves with the port, not a string
  const p: Promise<string> = new Server({ acl }).start()
  // @ts-expect-error: port is read-only
  new Server({ acl }).port = 5
  // @ts-expect-error: port may be null before the first start
  const known: number = new Server({ acl }).port
  const nats: NatsAuth = NatsAuth.parse('authorization { user: u, password: p }', 'inline.conf', null)
  const creds: NatsCredentials = { user: 'u', password: Buffer.from('p'), connectionType: 'STANDARD' }
  const id: NatsIdentity = nats.authenticate(creds)
  const later: Promise<NatsIdentity> = nats.authenticateAsync({ url: 'nats://u:p@127.0.0.1:4222' })
  const seen: boolean = id.canPublish('a') && id.canSubscribe('a', 'q') && id.canReceive(Buffer.from('a'))
  const who: string = `${id.user}@${id.account} ${nats.authTimeout}`
  void [NatsAuth.fromFile('nats.conf'), later, seen, who]
  // @ts-expect-error: authTimeout is read-only
  nats.authTimeout = 5
  // @ts-expect-error: credentials are an object, not positional strings
  nats.authenticate('u', 'p')
  // @ts-expect-error: authenticateAsync resolves with an identity, not a boolean
  const wrong: Promise<boolean> = nats.authenticateAsync(creds)
  // @ts-expect-error: user is read-only
  id.user = 'v'
  void wrong
  const cert: ClientCert = ClientCert.fromPem('-----BEGIN CERTIFICATE-----')
  const cn: string | null = cert.commonName
  const sans: string[] = [...cert.sanEmails, ...cert.sanDns, ...cert.sanUris, ...cert.sanIps]
  const period: number = cert.notAfter - cert.notBefore
  const policy = new SubjectPolicy('san_cn', ['CN=alice', Buffer.from('CN=bob')])
  policy.check(ClientCert.fromDer(Buffer.alloc(0)))
  const line: string = cert.subject + policy.validation
  void [cn, sans, period, line, new SubjectPolicy()]
  // @ts-expect-error: subject is read-only
  cert.subject = 'CN=x'
  // @ts-expect-error: authorized subjects are a list
  void new SubjectPolicy('san_cn', 'CN=alice')
  // @ts-expect-error: check takes a ClientCert
  policy.check('CN=alice')
  const users = new CertUserMap('CN')
  users.setUser('ops', cert.subject)
  users.mode = 'URI'
  const login: CertLogin = users.map(cert, new Acl())
  const mapped: string | null = login.user
  const logged: string | null = login.logLine
  const removed: boolean = users.removeUser('ops')
  const names: string[] = users.users
  void [mapped, logged, removed, names, login.outcome, users.subjectLine('ops'), new CertUserMap().map(cert, null)]
  // @ts-expect-error: users is read-only
  users.users = []
  // @ts-expect-error: map takes a ClientCert
  users.map('CN=alice')
  // @ts-expect-error: genpass takes a number of bits
  genpass('256')
  // @ts-expect-error: not an error code
  const code: ErrorCode = 'EVERYTHING'
  void [n, flags, p, code, pd, known]
}
