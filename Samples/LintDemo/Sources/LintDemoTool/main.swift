// lintdemo-collate: the stock `collate` with this package's `prefix-lm` type registered.
import Collate
import CollateCommandLine
import Foundation
import LintDemo

let registry = CollatorRegistry()
do {
    try PrefixLMCollator.register(in: registry)
} catch {
    FileHandle.standardError.write(Data("lintdemo-collate: \(error)\n".utf8))
    exit(1)
}
exit(CollateTool(registry: registry).run())
