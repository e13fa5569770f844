extension ExternalBackend {
    /// Makes SIGTERM, SIGINT (Ctrl-C) and SIGHUP to this process end every worker it started
    /// — each worker's whole process group, SIGTERM then SIGKILL after 2 s — before the process
    /// itself ends by the same signal.
    ///
    /// Workers lead their own process groups, so without this a stopped host leaves them
    /// running (a GPU worker keeps its memory). Call it once, early, in a program that owns its
    /// signals (the `collate` command does); a library user who handles signals already ends
    /// the workers with ``close()`` instead. Calling it again does nothing.
    public static func endWorkersOnSignals() {
        _LiveWorkers.install()
    }
}
