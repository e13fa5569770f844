import Foundation

/// A Unicode normalization form, applied as HF tokenizers applies it: through the
/// `unicode-normalization-alignments` crate, whose iterators report for every output
/// scalar a change (`0` replaces the next input scalar, `1` is inserted, `-n` also removes
/// `n` more), which `NormalizedString::transform` then turns into alignments by walking the
/// input in order.
///
/// The change of a scalar travels with it when canonical ordering moves it, and a
/// composition adds the changes of its parts minus one, so offsets after composition with
/// stacked marks (`e\u{301}\u{323}`) follow the crate exactly, not the text's logic.
enum _UnicodeForm: Sendable {
    case nfc, nfd, nfkc, nfkd

    private var isCompatibility: Bool { self == .nfkc || self == .nfkd }
    private var composes: Bool { self == .nfc || self == .nfkc }

    /// Normalizes `string` with alignments.
    ///
    /// Only the stretches around scalars that can change are run through the crate's
    /// algorithm: a *stable* scalar (a starter that is its own decomposition and composes
    /// with nothing before it) ends every reordering run and every composition, so the
    /// text splits there into pieces that normalize independently, and a piece of stable
    /// scalars gets all-zero changes, which leave it as it is.
    func apply(to string: inout _NormalizedString) {
        let scalars = string.scalars
        let data = _UnicodeData.shared
        guard let stable = data.stability(scalars, compatibility: isCompatibility, composing: composes) else { return }
        // Segments [start, end): from the stable scalar before an unstable run to the next
        // stable scalar after it; processed right to left so earlier indices stay valid.
        var segments: [Range<Int>] = []
        var index = 0
        while index < scalars.count {
            guard !stable[index] else { index += 1; continue }
            let start = index > 0 ? index - 1 : 0
            var end = index + 1
            while end < scalars.count, !stable[end] { end += 1 }
            if let last = segments.last, last.upperBound > start {
                segments[segments.count - 1] = last.lowerBound..<end
            } else {
                segments.append(start..<end)
            }
            index = end
        }
        for segment in segments.reversed() {
            let decomposed = data.decompose(Array(scalars[segment]), compatibility: isCompatibility)
            let changes = composes ? data.recompose(decomposed) : decomposed
            string.transform(range: segment, changes: changes, initialOffset: 0)
        }
    }
}

/// Decomposition and composition data, read from Foundation once per scalar and cached.
///
/// The caches are read under a shared (read) lock, so threads encoding at once do not wait
/// for each other; what a call misses it computes without the lock and adds afterwards under
/// the exclusive (write) lock.
final class _UnicodeData: @unchecked Sendable {
    static let shared = _UnicodeData()

    // Guarded by `lock`.
    private let lock = _ReadWriteLock()
    private var canonical: [UInt32: [Unicode.Scalar]] = [:]
    private var compatibility: [UInt32: [Unicode.Scalar]] = [:]
    private var compositions: [UInt64: UInt32] = [:]

    /// What one call computed that the caches lacked, added once the read lock is released.
    private struct Misses {
        var canonical: [(UInt32, [Unicode.Scalar])] = []
        var compatibility: [(UInt32, [Unicode.Scalar])] = []
        var compositions: [(UInt64, UInt32)] = []
        var isEmpty: Bool { canonical.isEmpty && compatibility.isEmpty && compositions.isEmpty }
    }

    /// Runs `body` under the read lock, then adds what it missed under the write lock.
    private func reading<T>(_ body: (inout Misses) -> T) -> T {
        var misses = Misses()
        lock.lockForReading()
        let result = body(&misses)
        lock.unlock()
        if !misses.isEmpty {
            lock.lockForWriting()
            for (key, value) in misses.canonical { canonical[key] = value }
            for (key, value) in misses.compatibility { compatibility[key] = value }
            for (key, value) in misses.compositions { compositions[key] = value }
            lock.unlock()
        }
        return result
    }

    /// Starters (combining class 0) that compose with the scalar before them: the
    /// NFC_Quick_Check=Maybe starters of the Indic, Sinhala, Myanmar, Balinese and other
    /// two-part vowel signs, and Hangul vowel and trailing jamo.
    private static func composesWithPrevious(_ value: UInt32) -> Bool {
        if (0x1161...0x11C2).contains(value) { return true }
        switch value {
        case 0x09BE, 0x09D7, 0x0B3E, 0x0B56, 0x0B57, 0x0BBE, 0x0BD7, 0x0CC2, 0x0CD5, 0x0CD6, 0x0D3E, 0x0D57,
             0x0DCF, 0x0DDF, 0x102E, 0x1B35, 0x11127, 0x1133E, 0x11357, 0x114B0, 0x114BA, 0x114BD, 0x115AF, 0x11930:
            return true
        default:
            return false
        }
    }

    /// For each scalar, whether it is stable: its own decomposition, a starter, and
    /// composing with nothing before it; `nil` when every scalar is.
    func stability(_ scalars: [Unicode.Scalar], compatibility: Bool, composing: Bool) -> [Bool]? {
        // Below U+00A0 nothing decomposes (canonically below U+00C0) and nothing combines.
        let limit: UInt32 = compatibility ? 0xA0 : 0xC0
        guard let first = scalars.firstIndex(where: { $0.value >= limit }) else { return nil }
        return reading { misses in
            var stable: [Bool]?
            for index in first..<scalars.count {
                let scalar = scalars[index]
                if scalar.value < limit { continue }
                var isStable = Self.combiningClass(scalar) == 0
                    && !(composing && Self.composesWithPrevious(scalar.value))
                if isStable {
                    let parts = lockedDecomposition(scalar, compatibility: compatibility, &misses)
                    isStable = parts.count == 1 && parts[0] == scalar
                }
                if !isStable {
                    if stable == nil { stable = [Bool](repeating: true, count: scalars.count) }
                    stable?[index] = false
                }
            }
            return stable
        }
    }

    /// The decomposition of `scalar`, from the cache (read lock held) or computed and
    /// recorded in `misses`.
    private func lockedDecomposition(_ scalar: Unicode.Scalar, compatibility: Bool, _ misses: inout Misses) -> [Unicode.Scalar] {
        if compatibility {
            if let cached = self.compatibility[scalar.value] { return cached }
            if let missed = misses.compatibility.first(where: { $0.0 == scalar.value }) { return missed.1 }
        } else {
            if let cached = canonical[scalar.value] { return cached }
            if let missed = misses.canonical.first(where: { $0.0 == scalar.value }) { return missed.1 }
        }
        let text = String(Character(scalar))
        let result = Self.isNewerThanHF(scalar)
            ? [scalar]
            : Array((compatibility ? text.decomposedStringWithCompatibilityMapping : text.decomposedStringWithCanonicalMapping).unicodeScalars)
        if compatibility { misses.compatibility.append((scalar.value, result)) } else { misses.canonical.append((scalar.value, result)) }
        return result
    }

    @inline(__always)
    private static func combiningClass(_ scalar: Unicode.Scalar) -> UInt8 {
        if scalar.value < 0x300 { return 0 }
        let value = scalar.properties.canonicalCombiningClass.rawValue
        return value == 0 || isNewerThanHF(scalar) ? 0 : value
    }

    /// Whether HF's `unicode-normalization-alignments` crate (Unicode 9.0 data) lacks the
    /// scalar: assigned after 9.0 (or unassigned). The crate gives such a scalar combining
    /// class 0 and no decomposition, so it is never reordered, decomposed or composed into
    /// (U+1E030's compatibility mapping, U+11938's canonical one, U+1E4EC's class 232 are
    /// not applied); measured on every scalar with HF tokenizers 0.23.3.
    static func isNewerThanHF(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return true }
        return age.major > 9 || (age.major == 9 && age.minor > 0)
    }

    /// The crate's `Decompositions` iterator: full decomposition of every scalar, the first
    /// part with change 0 and the others 1, and each run of non-starters stably sorted by
    /// combining class (changes travel with their scalars).
    func decompose(_ scalars: [Unicode.Scalar], compatibility: Bool) -> [(Unicode.Scalar, Int)] {
        var output: [(Unicode.Scalar, Int)] = []
        output.reserveCapacity(scalars.count + scalars.count / 4)
        var pendingStart = 0  // start of the run not yet sorted
        func sortPending() {
            let count = output.count - pendingStart
            guard count > 1 else { pendingStart = output.count; return }
            // Stable sort by combining class (insertion sort: runs are short).
            var index = pendingStart + 1
            while index < output.count {
                let item = output[index]
                let itemClass = Self.combiningClass(item.0)
                var position = index
                while position > pendingStart, Self.combiningClass(output[position - 1].0) > itemClass {
                    output[position] = output[position - 1]
                    position -= 1
                }
                output[position] = item
                index += 1
            }
            pendingStart = output.count
        }
        reading { misses in
            for scalar in scalars {
                if scalar.value < 0xA0 || (!compatibility && scalar.value < 0xC0) {
                    sortPending()
                    output.append((scalar, 0))
                    continue
                }
                var first = true
                for part in lockedDecomposition(scalar, compatibility: compatibility, &misses) {
                    if Self.combiningClass(part) == 0 { sortPending() }
                    output.append((part, first ? 0 : 1))
                    first = false
                }
            }
        }
        sortPending()
        return output
    }

    /// The crate's `Recompositions` iterator over decomposed scalars with their changes.
    func recompose(_ decomposed: [(Unicode.Scalar, Int)]) -> [(Unicode.Scalar, Int)] {
        var output: [(Unicode.Scalar, Int)] = []
        output.reserveCapacity(decomposed.count)
        var composee: (Unicode.Scalar, Int)?
        var lastClass: UInt8?
        var buffer: [(Unicode.Scalar, Int)] = []
        reading { misses in
            for (scalar, change) in decomposed {
                let scalarClass = Self.combiningClass(scalar)
                guard let starter = composee else {
                    if scalarClass != 0 {
                        output.append((scalar, change))
                    } else {
                        composee = (scalar, change)
                    }
                    continue
                }
                if let last = lastClass {
                    if last >= scalarClass {
                        // Blocked from the starter.
                        if scalarClass == 0 {
                            output.append(starter)
                            output.append(contentsOf: buffer)
                            buffer.removeAll(keepingCapacity: true)
                            composee = (scalar, change)
                            lastClass = nil
                            continue
                        }
                        buffer.append((scalar, change))
                        lastClass = scalarClass
                        continue
                    }
                    if let composed = lockedCompose(starter.0, scalar, &misses) {
                        composee = (composed, starter.1 + change - 1)
                        continue
                    }
                    buffer.append((scalar, change))
                    lastClass = scalarClass
                } else {
                    if let composed = lockedCompose(starter.0, scalar, &misses) {
                        composee = (composed, starter.1 + change - 1)
                        continue
                    }
                    if scalarClass == 0 {
                        output.append(starter)
                        composee = (scalar, change)
                        continue
                    }
                    buffer.append((scalar, change))
                    lastClass = scalarClass
                }
            }
        }
        if let starter = composee { output.append(starter) }
        output.append(contentsOf: buffer)
        return output
    }

    /// The primary composite of `first` and `second`, if any (Unicode canonical composition
    /// of one pair, Hangul included).
    private func lockedCompose(_ first: Unicode.Scalar, _ second: Unicode.Scalar, _ misses: inout Misses) -> Unicode.Scalar? {
        let a = first.value
        let b = second.value
        // Hangul L + V, LV + T.
        if (0x1100...0x1112).contains(a), (0x1161...0x1175).contains(b) {
            return Unicode.Scalar(0xAC00 + ((a - 0x1100) * 21 + (b - 0x1161)) * 28)
        }
        if (0xAC00...0xD7A3).contains(a), (a - 0xAC00) % 28 == 0, (0x11A8...0x11C2).contains(b) {
            return Unicode.Scalar(a + (b - 0x11A7))
        }
        if b < 0x300 { return nil }
        let key = UInt64(a) << 32 | UInt64(b)
        if let cached = compositions[key] ?? misses.compositions.first(where: { $0.0 == key })?.1 {
            return cached == 0 ? nil : Unicode.Scalar(cached)
        }
        // `first` is given decomposed: Foundation leaves "\u{0CCA}\u{0CD5}" alone although
        // it composes to U+0CCB (it does compose "\u{0CC6}\u{0CC2}\u{0CD5}").
        var view = String.UnicodeScalarView()
        view.append(contentsOf: lockedDecomposition(first, compatibility: false, &misses))
        view.append(second)
        let composed = Array(String(view).precomposedStringWithCanonicalMapping.unicodeScalars)
        var result: Unicode.Scalar?
        if composed.count == 1, let candidate = composed.first,
           lockedDecomposition(candidate, compatibility: false, &misses) == lockedDecomposition(first, compatibility: false, &misses) + [second] {
            result = candidate
        }
        misses.compositions.append((key, result?.value ?? 0))
        return result
    }
}

/// A read-write lock (`pthread_rwlock_t`): any number of readers at once, or one writer.
final class _ReadWriteLock: @unchecked Sendable {
    private let rwlock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        rwlock = .allocate(capacity: 1)
        rwlock.initialize(to: pthread_rwlock_t())
        pthread_rwlock_init(rwlock, nil)
    }

    deinit {
        pthread_rwlock_destroy(rwlock)
        rwlock.deallocate()
    }

    /// Waits until no writer holds the lock, then holds it shared.
    func lockForReading() { pthread_rwlock_rdlock(rwlock) }

    /// Waits until nobody holds the lock, then holds it alone.
    func lockForWriting() { pthread_rwlock_wrlock(rwlock) }

    /// Releases the lock held by this thread.
    func unlock() { pthread_rwlock_unlock(rwlock) }
}
