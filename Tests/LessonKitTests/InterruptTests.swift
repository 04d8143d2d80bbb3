import Glibc
import Testing
@testable import LessonKit

/// `learn-mp` stopped from outside while a demo runs: the demo dies with it and no temporary
/// directory stays behind.
@Suite(.serialized) struct InterruptTests {
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


    /// `verify` (the demo in a runner process of the pool) and `run` (in learn-mp itself). SIGKILL
    /// cannot be handled: the demo goes because its parent-death signal fires (the scratch root
    /// then stays, as nothing can remove it).
    @Test(arguments: [["verify", "all"], ["run", "hang"]], [SIGTERM, SIGHUP, SIGINT, SIGKILL])
    func aStoppedLearnMPLeavesNothingBehind(arguments: [String], signal: Int32) throws {
        let marker = "\(randomTag()).25"
        let root = try hangWorkspace(script: "echo 'waiting forever'\nexec sleep \(marker)\n")
        defer { FileSystem.removeTree(root) }
        try FileSystem.makeDirectories(root + "/tmp")
        let report = interrupt(arguments, root: root, marker: marker, signal: signal)
        #expect(report.contains("demo started"), "\(report)")
        #expect(report.contains("status -\(signal)"), "\(report)")
        if signal != SIGKILL {
            #expect(FileSystem.list(root + "/tmp") == [], "left behind: \(FileSystem.list(root + "/tmp"))")
        }
        #expect(processGone(withMarker: "sleep \(marker)"), "the demo outlived learn-mp")
    }
}
