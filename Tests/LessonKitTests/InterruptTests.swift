import Glibc
import Testing
@testable import LessonKit

/// `learn-mp` stopped from outside while a demo runs: the demo dies with it and no temporary
/// directory stays behind.
@Suite(.serialized) struct InterruptTests {
    /// A scratch workspace whose one demo prints a line and sleeps `marker` seconds.
    func workspace(marker: String) throws -> String {
        let root = try FileSystem.makeTemporaryDirectory(prefix: "learn-mp-e2e")
        try copyTree(fixtures + "/workspace", to: root)
        try FileSystem.makeDirectories(root + "/build/debug")
        try writeScript("echo 'waiting forever'\nexec sleep \(marker)\n", to: root + "/build/debug/demo-hang")
        let lesson = try FileSystem.readText(fixtures + "/lessons/hang/01-hang.md").replacing("timeout=1", with: "timeout=30")
        try FileSystem.makeDirectories(root + "/lessons")
        try FileSystem.writeText(lesson, to: root + "/lessons/01-hang.md")
        try FileSystem.makeDirectories(root + "/tmp")
        return root
    }

    /// Starts `learn-mp <arguments>` with `TMPDIR=<root>/tmp` (from Python, so the signal is not
    /// ignored as it is for a shell's background job), waits for the demo `sleep <marker>`,
    /// sends `signal` to learn-mp and returns learn-mp's exit status as Python reports it.
    func interrupt(_ arguments: [String], root: String, marker: String, signal: Int32) -> String {
        let command = [EndToEndTests.learnMP] + arguments + ["--root", root, "--build-path", root + "/build"]
        let launcher = """
        import os, subprocess, sys, time
        env = dict(os.environ, TMPDIR=sys.argv[1])
        p = subprocess.Popen(sys.argv[4:], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        def running():
            for pid in os.listdir('/proc'):
                try:
                    if pid.isdigit() and sys.argv[2].encode() in open(f'/proc/{pid}/cmdline', 'rb').read().replace(b'\\0', b' '):
                        return True
                except OSError:
                    pass
            return False
        end = time.time() + 15
        while not running() and time.time() < end:
            time.sleep(0.05)
        print('demo started' if running() else 'demo never started', flush=True)
        p.send_signal(int(sys.argv[3]))
        print('status', p.wait(), flush=True)
        """
        let result = Spawn.run(SpawnRequest(executable: "python3",
                                            arguments: ["-c", launcher, root + "/tmp", "sleep \(marker)", "\(signal)"] + command,
                                            environment: Runner.environment(trace: nil), timeout: 40))
        return result.stdout + result.stderr
    }


    /// `verify` (the demo in a runner process of the pool) and `run` (in learn-mp itself).
    @Test(arguments: [["verify", "all"], ["run", "hang"]], [SIGTERM, SIGHUP, SIGINT])
    func anInterruptLeavesNoTemporaryDirectory(arguments: [String], signal: Int32) throws {
        let marker = "\(randomTag()).25"
        let root = try workspace(marker: marker)
        defer { FileSystem.removeTree(root) }
        let report = interrupt(arguments, root: root, marker: marker, signal: signal)
        #expect(report.contains("demo started"), "\(report)")
        #expect(report.contains("status -\(signal)"), "\(report)")
        #expect(FileSystem.list(root + "/tmp") == [], "left behind: \(FileSystem.list(root + "/tmp"))")
        #expect(processGone(withMarker: "sleep \(marker)"))
    }

    /// SIGKILL cannot be handled: the demo goes because its parent-death signal fires.
    @Test(arguments: [["verify", "all"], ["run", "hang"]])
    func killedLearnMPTakesItsDemoWithIt(arguments: [String]) throws {
        let marker = "\(randomTag()).25"
        let root = try workspace(marker: marker)
        defer { FileSystem.removeTree(root) }
        let report = interrupt(arguments, root: root, marker: marker, signal: SIGKILL)
        #expect(report.contains("demo started"), "\(report)")
        #expect(report.contains("status -9"), "\(report)")
        #expect(processGone(withMarker: "sleep \(marker)"), "the demo outlived learn-mp")
    }
}
