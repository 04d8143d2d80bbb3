// The source of a hook the runner writes into a demo's temporary directory. Kept as a
// literal so a plain `swift build` needs no resource bundle; edit it here.

extension RuntimeHooks {
    /// The Node.js hook: a preload given with `--require` through `NODE_OPTIONS`.
    static let nodeTraceHook = #"""
// learn-mp trace hook for Node.js: loaded with --require (through NODE_OPTIONS) into the main
// thread, every worker_threads worker and every child_process child. Writes the trace schema
// of the Multiprocessing library (one JSON line per event, one write(2) each, O_APPEND) to
// the file named by LEARN_MP_TRACE: child_process and cluster children with their start and
// exit, worker_threads workers with their thread id and name, and, as tasks, the messages a
// worker or forked child handles. It never prints, and a failure in it is ignored.
'use strict'
;(() => {
  const path = process.env.LEARN_MP_TRACE
  if (!path) return
  let fs, threads, fd
  try {
    fs = require('fs')
    threads = require('worker_threads')
    fd = fs.openSync(path, 'a')
  } catch {
    return
  }
  const pid = process.pid
  const quoted = (text) => JSON.stringify(String(text))
  const emit = (event, fields, who = pid) => {
    try {
      fs.writeSync(fd, `{"event":"${event}","pid":${who}${fields},"t":${process.hrtime.bigint()}}\n`)
    } catch {}
  }
  let tid = pid
  try {
    tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop()) || pid
  } catch {}

  // A worker thread: its start, its end, and each message it handles as a task.
  if (!threads.isMainThread) {
    const data = threads.workerData
    const name = data && typeof data === 'object' && typeof data.name === 'string' ? data.name : `Worker ${threads.threadId}`
    emit('thread-start', `,"tid":${tid},"name":${quoted(name)}`)
    process.on('exit', () => emit('thread-exit', `,"tid":${tid}`))
    if (threads.parentPort) traceMessages(threads.parentPort)
  } else if (typeof process.send === 'function') {
    traceMessages(process)
  }

  // Children: every child_process function and cluster go through ChildProcess#spawn.
  try {
    const { ChildProcess } = require('child_process')
    const spawn = ChildProcess.prototype.spawn
    const signals = require('os').constants.signals
    ChildProcess.prototype.spawn = function (options) {
      const result = spawn.apply(this, arguments)
      try {
        const child = this
        if (child.pid) {
          emit('start', `,"ppid":${pid},"name":${quoted(childName(options))},"runtime":"node"`, child.pid)
          child.once('exit', (code, signal) => emit('exit', `,"code":${code ?? -(signals[signal] || 0)}`, child.pid))
        }
      } catch {}
      return result
    }
  } catch {}

  // What a child is called: a cluster worker's id, a forked script's arguments, a command.
  function childName(options) {
    const env = (options && options.envPairs) || []
    const unique = env.find((pair) => pair.startsWith('NODE_UNIQUE_ID='))
    if (unique) return `cluster worker ${unique.slice(15)}`
    const args = (options && options.args) || []
    const script = args.findIndex((arg, i) => i > 0 && !arg.startsWith('-'))
    if (script > 0) {
      const rest = args.slice(script + 1)
      return rest.length ? rest.join(' ') : require('path').basename(args[script])
    }
    return (options && options.file) || 'child'
  }

  // Each 'message' listener call is a task: its start and its end (when a returned promise settles).
  function traceMessages(target) {
    let count = 0
    const wrapped = new WeakMap()
    const wrap = (listener) => {
      if (!wrapped.has(listener)) {
        wrapped.set(listener, function (...args) {
          const index = count++
          emit('task-start', `,"tid":${tid},"job":0,"task":${index}`)
          const end = (failed) => emit('task-end', `,"tid":${tid},"job":0,"task":${index},"failed":${failed}`)
          let result
          try {
            result = listener.apply(this, args)
          } catch (error) {
            end(true)
            throw error
          }
          if (result && typeof result.then === 'function') {
            result.then(() => end(false), () => end(true))
          } else {
            end(false)
          }
          return result
        })
      }
      return wrapped.get(listener)
    }
    for (const method of ['on', 'addListener', 'once', 'prependListener', 'prependOnceListener']) {
      const original = target[method]
      if (typeof original !== 'function') continue
      target[method] = function (event, listener) {
        if (event === 'message' && typeof listener === 'function') return original.call(this, event, wrap(listener))
        return original.apply(this, arguments)
      }
    }
    for (const method of ['off', 'removeListener']) {
      const original = target[method]
      if (typeof original !== 'function') continue
      target[method] = function (event, listener) {
        if (event === 'message' && wrapped.has(listener)) return original.call(this, event, wrapped.get(listener))
        return original.apply(this, arguments)
      }
    }
  }
})()
"""#
}
