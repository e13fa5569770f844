/// Parses a template's tokens into statements, following jinja2's grammar and precedence.
struct _JinjaParser {
    private let tokens: [_JinjaLexedToken]
    private var index = 0
    private(set) var names = _JinjaNames()
    /// Nesting of blocks and expressions, bounded so that hostile input cannot exhaust the stack.
    private var depth = 0
    static let maximumDepth = 128

    private mutating func enter() throws(_JinjaFailure) {
        depth += 1
        if depth > _JinjaParser.maximumDepth {
            throw _JinjaFailure(.syntax, "blocks or expressions nested more than \(_JinjaParser.maximumDepth) deep", line: line)
        }
    }

    /// Operators, filters, tests, calls and subscripts chained in the statement being parsed:
    /// each link deepens the (left-leaning) tree the renderer recurses over, so a hostile
    /// `1 + 1 + ...` or `x | f | f ...` of thousands of links would exhaust the stack.
    private var links = 0
    static let maximumLinks = 1024

    /// Counts one more link of a chain (``links``); reset at each statement.
    private mutating func link() throws(_JinjaFailure) {
        links += 1
        if links > _JinjaParser.maximumLinks {
            throw _JinjaFailure(.syntax, "more than \(_JinjaParser.maximumLinks) operators, filters or subscripts in one statement", line: line)
        }
    }

    init(tokens: [_JinjaLexedToken]) {
        self.tokens = tokens
    }

    static func parse(_ source: String) throws(_JinjaFailure) -> ([_JinjaStatement], _JinjaNames) {
        var parser = _JinjaParser(tokens: try _JinjaLexer.tokenize(source))
        let (body, end) = try parser.parseStatements(until: [])
        if let end {
            throw _JinjaFailure(.syntax, "unexpected `{% \(end) %}`: no block is open", line: parser.line)
        }
        return (body, parser.names)
    }

    // MARK: - Token helpers

    private var current: _JinjaToken { tokens[index].token }
    private var line: Int { tokens[index].line }

    private func peek(_ offset: Int = 1) -> _JinjaToken {
        let at = index + offset
        return at < tokens.count ? tokens[at].token : .eof
    }

    private mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    private func isOp(_ op: String) -> Bool {
        if case .op(let value) = current, value == op { return true }
        return false
    }

    private func isName(_ name: String) -> Bool {
        if case .name(let value) = current, value == name { return true }
        return false
    }

    private mutating func skipOp(_ op: String) -> Bool {
        guard isOp(op) else { return false }
        advance()
        return true
    }

    private mutating func skipName(_ name: String) -> Bool {
        guard isName(name) else { return false }
        advance()
        return true
    }

    private func describe(_ token: _JinjaToken) -> String {
        switch token {
        case .text: "text"
        case .variableBegin: "`{{`"
        case .variableEnd: "`}}`"
        case .blockBegin: "`{%`"
        case .blockEnd: "`%}`"
        case .name(let name): "'\(name)'"
        case .string(let text): "string '\(text)'"
        case .integer(let number): "\(number)"
        case .float(let number): "\(number)"
        case .op(let op): "'\(op)'"
        case .eof: "end of template"
        }
    }

    private func unexpected(_ expected: String) -> _JinjaFailure {
        _JinjaFailure(.syntax, "expected \(expected), found \(describe(current))", line: line)
    }

    private mutating func expectOp(_ op: String) throws(_JinjaFailure) {
        guard skipOp(op) else { throw unexpected("'\(op)'") }
    }

    private mutating func expectName() throws(_JinjaFailure) -> String {
        guard case .name(let name) = current else { throw unexpected("a name") }
        advance()
        return name
    }

    private mutating func expectBlockEnd() throws(_JinjaFailure) {
        guard current == .blockEnd else { throw unexpected("end of statement `%}`") }
        advance()
    }

    // MARK: - Statements

    /// Parses statements until `{% name %}` with a name in `ends`; returns that name (the
    /// block tag's name is consumed, the rest of the tag is not) or `nil` at the end.
    private mutating func parseStatements(until ends: Set<String>) throws(_JinjaFailure) -> ([_JinjaStatement], String?) {
        try enter()
        defer { depth -= 1 }
        var body: [_JinjaStatement] = []
        while true {
            let startLine = line
            links = 0
            switch current {
            case .eof:
                return (body, nil)
            case .text(let text):
                body.append(_JinjaStatement(line: startLine, kind: .text(text)))
                advance()
            case .variableBegin:
                advance()
                let expr = try parseTuple()
                guard current == .variableEnd else { throw unexpected("end of expression `}}`") }
                advance()
                body.append(_JinjaStatement(line: startLine, kind: .output(expr)))
            case .blockBegin:
                advance()
                guard case .name(let keyword) = current else { throw unexpected("a statement name") }
                if ends.contains(keyword) {
                    advance()
                    return (body, keyword)
                }
                advance()
                body.append(try parseStatement(keyword, line: startLine))
            default:
                throw unexpected("text or a tag")
            }
        }
    }

    private mutating func parseBlock(_ tag: String, until ends: Set<String>, line startLine: Int) throws(_JinjaFailure) -> ([_JinjaStatement], String) {
        let (body, end) = try parseStatements(until: ends)
        guard let end else {
            let expected = ends.sorted().map { "`{% \($0) %}`" }.joined(separator: " or ")
            throw _JinjaFailure(.syntax, "`{% \(tag) %}` opened on line \(startLine) is never closed: expected \(expected)", line: line)
        }
        return (body, end)
    }

    private mutating func parseStatement(_ keyword: String, line startLine: Int) throws(_JinjaFailure) -> _JinjaStatement {
        switch keyword {
        case "if":
            var branches: [(_JinjaExpr, [_JinjaStatement])] = []
            var condition = try parseTuple()
            try expectBlockEnd()
            while true {
                let (body, end) = try parseBlock("if", until: ["elif", "else", "endif"], line: startLine)
                branches.append((condition, body))
                if end == "elif" {
                    condition = try parseTuple()
                    try expectBlockEnd()
                    continue
                }
                var otherwise: [_JinjaStatement] = []
                if end == "else" {
                    try expectBlockEnd()
                    (otherwise, _) = try parseBlock("if", until: ["endif"], line: startLine)
                }
                try expectBlockEnd()
                return _JinjaStatement(line: startLine, kind: .ifChain(branches, otherwise: otherwise))
            }
        case "for":
            let target = try parseAssignTarget()
            guard skipName("in") else { throw unexpected("'in'") }
            let iterable = try parseTuple(withCondition: false)
            var condition: _JinjaExpr?
            if skipName("if") { condition = try parseExpression() }
            if isName("recursive") {
                throw _JinjaFailure(.unsupported, "recursive for loops", line: line)
            }
            try expectBlockEnd()
            let (body, end) = try parseBlock("for", until: ["endfor", "else"], line: startLine)
            var otherwise: [_JinjaStatement] = []
            if end == "else" {
                try expectBlockEnd()
                (otherwise, _) = try parseBlock("for", until: ["endfor"], line: startLine)
            }
            try expectBlockEnd()
            return _JinjaStatement(
                line: startLine, kind: .forLoop(target: target, iterable: iterable, condition: condition, body: body, otherwise: otherwise))
        case "set":
            let target = try parseAssignTarget(allowAttribute: true)
            if skipOp("=") {
                let value = try parseTuple()
                try expectBlockEnd()
                return _JinjaStatement(line: startLine, kind: .set(target, value))
            }
            let filters = try parseFilterChain()
            try expectBlockEnd()
            let (body, _) = try parseBlock("set", until: ["endset"], line: startLine)
            try expectBlockEnd()
            return _JinjaStatement(line: startLine, kind: .setBlock(target, filters: filters, body: body))
        case "macro":
            let name = try expectName()
            let parameters = try parseParameters()
            try expectBlockEnd()
            let (body, _) = try parseBlock("macro", until: ["endmacro"], line: startLine)
            if case .name = current { advance() }  // `{% endmacro name %}`
            try expectBlockEnd()
            return _JinjaStatement(line: startLine, kind: .macro(name: name, id: names.intern(name), parameters: parameters, body: body))
        case "call":
            var parameters: [_JinjaParameter] = []
            if isOp("(") { parameters = try parseParameters() }
            let call = try parseExpression()
            guard case .call = call.kind else {
                throw _JinjaFailure(.syntax, "`{% call %}` expects a macro call such as `{% call name() %}`", line: startLine)
            }
            try expectBlockEnd()
            let (body, _) = try parseBlock("call", until: ["endcall"], line: startLine)
            try expectBlockEnd()
            return _JinjaStatement(line: startLine, kind: .callBlock(call: call, parameters: parameters, body: body))
        case "filter":
            let filters = try parseFilterChain(leadingPipe: false)
            try expectBlockEnd()
            let (body, _) = try parseBlock("filter", until: ["endfilter"], line: startLine)
            try expectBlockEnd()
            return _JinjaStatement(line: startLine, kind: .filterBlock(filters: filters, body: body))
        case "with":
            var assignments: [(_JinjaTarget, _JinjaExpr)] = []
            while current != .blockEnd {
                if !assignments.isEmpty { try expectOp(",") }
                let target = try parseAssignTarget()
                try expectOp("=")
                assignments.append((target, try parseExpression()))
            }
            try expectBlockEnd()
            let (body, _) = try parseBlock("with", until: ["endwith"], line: startLine)
            try expectBlockEnd()
            return _JinjaStatement(line: startLine, kind: .with(assignments: assignments, body: body))
        case "generation":
            try expectBlockEnd()
            let (body, _) = try parseBlock("generation", until: ["endgeneration"], line: startLine)
            try expectBlockEnd()
            return _JinjaStatement(line: startLine, kind: .generation(body))
        case "break", "continue":
            try expectBlockEnd()
            return _JinjaStatement(line: startLine, kind: keyword == "break" ? .breakLoop : .continueLoop)
        case "include", "import", "from", "extends", "block", "autoescape":
            throw _JinjaFailure(.unsupported, "the `{% \(keyword) %}` statement", line: startLine)
        default:
            throw _JinjaFailure(.syntax, "unknown tag '\(keyword)'", line: startLine)
        }
    }

    private mutating func parseParameters() throws(_JinjaFailure) -> [_JinjaParameter] {
        try expectOp("(")
        var parameters: [_JinjaParameter] = []
        while !skipOp(")") {
            if !parameters.isEmpty { try expectOp(",") }
            if skipOp(")") { break }
            let name = try expectName()
            var defaultValue: _JinjaExpr?
            if skipOp("=") { defaultValue = try parseExpression() }
            parameters.append(_JinjaParameter(name: name, id: names.intern(name), defaultValue: defaultValue))
        }
        return parameters
    }

    private mutating func parseFilterChain(leadingPipe: Bool = true) throws(_JinjaFailure) -> [(String, _JinjaArguments, Int)] {
        var filters: [(String, _JinjaArguments, Int)] = []
        var first = true
        while (first && !leadingPipe) || skipOp("|") {
            first = false
            let filterLine = line
            let (name, arguments) = try parseFilterNameAndArguments()
            filters.append((name, arguments, filterLine))
        }
        return filters
    }

    private mutating func parseFilterNameAndArguments() throws(_JinjaFailure) -> (String, _JinjaArguments) {
        var name = try expectName()
        while skipOp(".") { name += "." + (try expectName()) }
        var arguments = _JinjaArguments()
        if isOp("(") { arguments = try parseCallArguments() }
        return (name, arguments)
    }

    private mutating func parseAssignTarget(allowAttribute: Bool = false) throws(_JinjaFailure) -> _JinjaTarget {
        var targets: [_JinjaTarget] = []
        var sawComma = false
        repeat {
            if isName("in") || isOp("=") || current == .blockEnd { break }
            if skipOp("(") {
                targets.append(try parseAssignTarget())
                try expectOp(")")
                continue
            }
            let name = try expectName()
            if allowAttribute, skipOp(".") {
                return .attribute(name, names.intern(name), try expectName())
            }
            targets.append(.name(name, names.intern(name)))
            sawComma = isOp(",")
        } while skipOp(",")
        guard !targets.isEmpty else { throw unexpected("a variable name") }
        return targets.count == 1 && !sawComma ? targets[0] : .tuple(targets)
    }

    // MARK: - Expressions

    /// A comma-separated tuple or a single expression (jinja2's `parse_tuple`).
    private mutating func parseTuple(withCondition: Bool = true) throws(_JinjaFailure) -> _JinjaExpr {
        let startLine = line
        var items: [_JinjaExpr] = []
        var sawComma = false
        while true {
            if !items.isEmpty {
                guard skipOp(",") else { break }
                sawComma = true
                if isTupleEnd { break }
            }
            items.append(withCondition ? try parseExpression() : try parseOr())
        }
        if items.count == 1 && !sawComma { return items[0] }
        return _JinjaExpr(line: startLine, kind: .tuple(items))
    }

    private var isTupleEnd: Bool {
        switch current {
        case .variableEnd, .blockEnd, .eof: true
        case .op(let op): op == ")" || op == "]" || op == "}"
        case .name(let name): name == "if" || name == "recursive"
        default: false
        }
    }

    mutating func parseExpression() throws(_JinjaFailure) -> _JinjaExpr {
        try enter()
        defer { depth -= 1 }
        var expr = try parseOr()
        while isName("if") {
            let startLine = line
            advance()
            let test = try parseOr()
            var otherwise: _JinjaExpr?
            if skipName("else") { otherwise = try parseExpression() }
            expr = _JinjaExpr(line: startLine, kind: .conditional(test: test, then: expr, otherwise: otherwise))
        }
        return expr
    }

    private mutating func parseOr() throws(_JinjaFailure) -> _JinjaExpr {
        var left = try parseAnd()
        while isName("or") {
            let startLine = line
            advance()
            try link()
            left = _JinjaExpr(line: startLine, kind: .or(left, try parseAnd()))
        }
        return left
    }

    private mutating func parseAnd() throws(_JinjaFailure) -> _JinjaExpr {
        var left = try parseNot()
        while isName("and") {
            let startLine = line
            advance()
            try link()
            left = _JinjaExpr(line: startLine, kind: .and(left, try parseNot()))
        }
        return left
    }

    private mutating func parseNot() throws(_JinjaFailure) -> _JinjaExpr {
        if isName("not") {
            let startLine = line
            advance()
            try enter()
            defer { depth -= 1 }
            return _JinjaExpr(line: startLine, kind: .not(try parseNot()))
        }
        return try parseCompare()
    }

    private mutating func parseCompare() throws(_JinjaFailure) -> _JinjaExpr {
        let startLine = line
        let left = try parseMath1()
        var operations: [(_JinjaCompareOp, _JinjaExpr)] = []
        while true {
            if !operations.isEmpty { try link() }
            if case .op(let text) = current, text != "in", text != "notin", let op = _JinjaCompareOp(text) {
                advance()
                operations.append((op, try parseMath1()))
            } else if skipName("in") {
                operations.append((.contains, try parseMath1()))
            } else if isName("not"), case .name("in") = peek() {
                advance()
                advance()
                operations.append((.notContains, try parseMath1()))
            } else {
                break
            }
        }
        return operations.isEmpty ? left : _JinjaExpr(line: startLine, kind: .compare(left, operations))
    }

    private mutating func parseMath1() throws(_JinjaFailure) -> _JinjaExpr {
        var left = try parseConcat()
        while case .op(let text) = current, text == "+" || text == "-" {
            let startLine = line
            advance()
            try link()
            left = _JinjaExpr(line: startLine, kind: .binary(text == "+" ? .add : .subtract, left, try parseConcat()))
        }
        return left
    }

    private mutating func parseConcat() throws(_JinjaFailure) -> _JinjaExpr {
        var left = try parseMath2()
        while isOp("~") {
            let startLine = line
            advance()
            try link()
            left = _JinjaExpr(line: startLine, kind: .binary(.concat, left, try parseMath2()))
        }
        return left
    }

    private mutating func parseMath2() throws(_JinjaFailure) -> _JinjaExpr {
        var left = try parsePow()
        while case .op(let text) = current, ["*", "/", "//", "%"].contains(text), let op = _JinjaBinaryOp(text) {
            let startLine = line
            advance()
            try link()
            left = _JinjaExpr(line: startLine, kind: .binary(op, left, try parsePow()))
        }
        return left
    }

    private mutating func parsePow() throws(_JinjaFailure) -> _JinjaExpr {
        var left = try parseUnary()
        while isOp("**") {
            let startLine = line
            advance()
            try link()
            left = _JinjaExpr(line: startLine, kind: .binary(.power, left, try parseUnary()))
        }
        return left
    }

    private mutating func parseUnary(withFilter: Bool = true) throws(_JinjaFailure) -> _JinjaExpr {
        try enter()
        defer { depth -= 1 }
        let startLine = line
        var node: _JinjaExpr
        if skipOp("-") {
            node = _JinjaExpr(line: startLine, kind: .negate(try parseUnary(withFilter: false)))
        } else if skipOp("+") {
            node = _JinjaExpr(line: startLine, kind: .plus(try parseUnary(withFilter: false)))
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node)
        if withFilter { node = try parseFilterExpression(node) }
        return node
    }

    private mutating func parsePrimary() throws(_JinjaFailure) -> _JinjaExpr {
        let startLine = line
        switch current {
        case .name(let name):
            advance()
            switch name {
            case "true", "True": return _JinjaExpr(line: startLine, kind: .literal(.bool(true)))
            case "false", "False": return _JinjaExpr(line: startLine, kind: .literal(.bool(false)))
            case "none", "None": return _JinjaExpr(line: startLine, kind: .literal(.none))
            default: return _JinjaExpr(line: startLine, kind: .name(name, names.intern(name)))
            }
        case .string(var text):
            advance()
            while case .string(let more) = current {
                text += more
                advance()
            }
            return _JinjaExpr(line: startLine, kind: .literal(.string(text)))
        case .integer(let number):
            advance()
            return _JinjaExpr(line: startLine, kind: .literal(.int(number)))
        case .float(let number):
            advance()
            return _JinjaExpr(line: startLine, kind: .literal(.float(number)))
        case .op("("):
            advance()
            if skipOp(")") { return _JinjaExpr(line: startLine, kind: .tuple([])) }
            let inner = try parseTuple()
            try expectOp(")")
            return inner
        case .op("["):
            advance()
            var items: [_JinjaExpr] = []
            while !skipOp("]") {
                if !items.isEmpty {
                    try expectOp(",")
                    if skipOp("]") { break }
                }
                items.append(try parseExpression())
            }
            return _JinjaExpr(line: startLine, kind: .list(items))
        case .op("{"):
            advance()
            var pairs: [(_JinjaExpr, _JinjaExpr)] = []
            while !skipOp("}") {
                if !pairs.isEmpty {
                    try expectOp(",")
                    if skipOp("}") { break }
                }
                let key = try parseExpression()
                try expectOp(":")
                pairs.append((key, try parseExpression()))
            }
            return _JinjaExpr(line: startLine, kind: .dict(pairs))
        default:
            throw unexpected("an expression")
        }
    }

    private mutating func parsePostfix(_ start: _JinjaExpr) throws(_JinjaFailure) -> _JinjaExpr {
        var node = start
        var linked = false
        while true {
            // One more link was made by the previous turn.
            if linked { try link() }
            linked = true
            let startLine = line
            if skipOp(".") {
                switch current {
                case .name(let name):
                    advance()
                    node = _JinjaExpr(line: startLine, kind: .attribute(node, name))
                case .integer(let number):
                    advance()
                    node = _JinjaExpr(line: startLine, kind: .item(node, _JinjaExpr(line: startLine, kind: .literal(.int(number)))))
                default:
                    throw unexpected("an attribute name after '.'")
                }
            } else if skipOp("[") {
                node = try parseSubscript(node, line: startLine)
            } else if isOp("(") {
                node = _JinjaExpr(line: startLine, kind: .call(node, try parseCallArguments()))
            } else {
                return node
            }
        }
    }

    private mutating func parseSubscript(_ target: _JinjaExpr, line startLine: Int) throws(_JinjaFailure) -> _JinjaExpr {
        var parts: [_JinjaExpr?] = [nil]
        var isSlice = false
        while !isOp("]") {
            if skipOp(":") {
                isSlice = true
                parts.append(nil)
                guard parts.count <= 3 else { throw unexpected("']'") }
                continue
            }
            guard parts[parts.count - 1] == nil else { throw unexpected("']' or ':'") }
            parts[parts.count - 1] = try parseExpression()
        }
        advance()
        if !isSlice {
            guard let key = parts[0] else { throw unexpected("an index") }
            return _JinjaExpr(line: startLine, kind: .item(target, key))
        }
        while parts.count < 3 { parts.append(nil) }
        return _JinjaExpr(line: startLine, kind: .slice(target, parts[0], parts[1], parts[2]))
    }

    private mutating func parseCallArguments() throws(_JinjaFailure) -> _JinjaArguments {
        try expectOp("(")
        var arguments = _JinjaArguments()
        var first = true
        while !skipOp(")") {
            if !first {
                try expectOp(",")
                if skipOp(")") { break }
            }
            first = false
            // jinja2's parse_call_args: `*args` and `**kwargs` come last, each at most once.
            if skipOp("**") {
                guard arguments.keywordSplat == nil else { throw _JinjaFailure(.syntax, "invalid syntax for function call expression", line: line) }
                arguments.keywordSplat = try parseExpression()
            } else if skipOp("*") {
                guard arguments.splat == nil, arguments.keywordSplat == nil else {
                    throw _JinjaFailure(.syntax, "invalid syntax for function call expression", line: line)
                }
                arguments.splat = try parseExpression()
            } else if case .name(let name) = current, case .op("=") = peek() {
                guard arguments.keywordSplat == nil else { throw _JinjaFailure(.syntax, "invalid syntax for function call expression", line: line) }
                advance()
                advance()
                arguments.keyword.append((name, try parseExpression()))
            } else {
                guard arguments.splat == nil, arguments.keywordSplat == nil else {
                    throw _JinjaFailure(.syntax, "invalid syntax for function call expression", line: line)
                }
                guard arguments.keyword.isEmpty else {
                    throw _JinjaFailure(.syntax, "a positional argument follows a keyword argument", line: line)
                }
                arguments.positional.append(try parseExpression())
            }
        }
        return arguments
    }

    private mutating func parseFilterExpression(_ start: _JinjaExpr) throws(_JinjaFailure) -> _JinjaExpr {
        var node = start
        var linked = false
        while true {
            // One more link was made by the previous turn.
            if linked { try link() }
            linked = true
            let startLine = line
            if skipOp("|") {
                let (name, arguments) = try parseFilterNameAndArguments()
                node = _JinjaExpr(line: startLine, kind: .filter(node, name, arguments))
            } else if isName("is") {
                advance()
                let negated = skipName("not")
                var name = try expectName()
                while skipOp(".") { name += "." + (try expectName()) }
                var arguments = _JinjaArguments()
                if isOp("(") {
                    arguments = try parseCallArguments()
                } else if startsTestArgument {
                    let argument = try parsePostfix(try parsePrimary())
                    arguments.positional.append(argument)
                }
                node = _JinjaExpr(line: startLine, kind: .test(node, name, arguments, negated: negated))
            } else if isOp("(") {
                node = _JinjaExpr(line: startLine, kind: .call(node, try parseCallArguments()))
            } else {
                return node
            }
        }
    }

    /// Whether a test's single argument follows without parentheses (`is divisibleby 3`).
    private var startsTestArgument: Bool {
        switch current {
        case .name(let name): !["else", "or", "and"].contains(name)
        case .string, .integer, .float: true
        case .op(let op): op == "[" || op == "{"
        default: false
        }
    }
}
