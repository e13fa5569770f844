import Synchronization

/// A single-producer, single-consumer queue holding at most `capacity` elements: the producer
/// suspends while it is full, the consumer while it is empty. Either side's cancellation
/// closes it and wakes the other, so neither is left suspended forever.
final class _BoundedChannel<Element: Sendable>: Sendable {
    private struct State {
        var buffer: [Element] = []
        var finished = false
        var failure: (any Error)?
        var closed = false
        var consumer: CheckedContinuation<Element?, any Error>?
        var producer: CheckedContinuation<Bool, Never>?
    }

    private enum SendStep {
        case handed(CheckedContinuation<Element?, any Error>)
        case buffered
        case full
        case closed
    }

    private enum ReceiveStep {
        case element(Element, wake: CheckedContinuation<Bool, Never>?)
        case end(failure: (any Error)?)
        case cancelled
        case wait
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Hands `element` to the consumer, waiting for room when the buffer is full.
    /// - Returns: `false` when the channel was closed (the consumer went away or was cancelled).
    func send(_ element: Element) async -> Bool {
        while true {
            let step = state.withLock { state -> SendStep in
                if state.closed { return .closed }
                if let consumer = state.consumer {
                    state.consumer = nil
                    return .handed(consumer)
                }
                if state.buffer.count < capacity {
                    state.buffer.append(element)
                    return .buffered
                }
                return .full
            }
            switch step {
            case .closed: return false
            case .handed(let consumer):
                consumer.resume(returning: element)
                return true
            case .buffered: return true
            case .full:
                let open = await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                        let immediate = state.withLock { state -> Bool? in
                            if state.closed { return false }
                            if state.buffer.count < capacity { return true }
                            state.producer = continuation
                            return nil
                        }
                        if let immediate { continuation.resume(returning: immediate) }
                    }
                } onCancel: {
                    self.close()
                }
                if !open { return false }
            }
        }
    }

    /// The next element; `nil` after the producer finished and the buffer drained.
    /// - Throws: the producer's error after the buffered elements; `CancellationError` when closed.
    func next() async throws -> Element? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Element?, any Error>) in
                let step = state.withLock { state -> ReceiveStep in
                    if !state.buffer.isEmpty {
                        let element = state.buffer.removeFirst()
                        let producer = state.producer
                        state.producer = nil
                        return .element(element, wake: producer)
                    }
                    if state.closed { return .cancelled }
                    if state.finished {
                        let failure = state.failure
                        state.failure = nil
                        return .end(failure: failure)
                    }
                    state.consumer = continuation
                    return .wait
                }
                switch step {
                case let .element(element, producer):
                    producer?.resume(returning: true)
                    continuation.resume(returning: element)
                case .end(let failure?): continuation.resume(throwing: failure)
                case .end(nil): continuation.resume(returning: nil)
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .wait: break
                }
            }
        } onCancel: {
            self.close()
        }
    }

    /// Marks the end of the stream, with the producer's error if it failed.
    func finish(throwing failure: (any Error)? = nil) {
        let consumer = state.withLock { state -> CheckedContinuation<Element?, any Error>? in
            state.finished = true
            state.failure = failure
            let consumer = state.consumer
            state.consumer = nil
            if consumer != nil { state.failure = nil }
            return consumer
        }
        if let consumer {
            if let failure { consumer.resume(throwing: failure) } else { consumer.resume(returning: nil) }
        }
    }

    /// Closes the channel from either side: drops buffered elements and wakes both sides.
    func close() {
        let (consumer, producer) = state.withLock { state in
            state.closed = true
            state.buffer.removeAll()
            defer {
                state.consumer = nil
                state.producer = nil
            }
            return (state.consumer, state.producer)
        }
        producer?.resume(returning: false)
        consumer?.resume(throwing: CancellationError())
    }
}
