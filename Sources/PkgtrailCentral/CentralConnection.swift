import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PkgtrailCore
import PostgresNIO

/// One connection to the central store, used synchronously: pkgtrail's
/// commands are short-lived and sequential, so each call waits for its
/// answer on a one-thread event loop. The password comes from libpq's
/// password file only; it is never printed, logged or kept after connecting.
public final class CentralConnection {
    public let address: CentralAddress
    private let group: MultiThreadedEventLoopGroup
    private let connection: PostgresConnection
    private let logger = Logger(label: "pkgtrail.central", factory: { _ in SwiftLogNoOpLogHandler() })

    public init(_ address: CentralAddress, home: String) throws {
        self.address = address
        let password = try address.servicePassword ?? PassFile.load(for: address, home: home)?.password(for: address)
        let tls: PostgresConnection.Configuration.TLS
        do {
            var client = TLSConfiguration.makeClientConfiguration()
            if let root = address.rootCertificate { client.trustRoots = .file(root) }
            switch address.tls {
            case .disable: tls = .disable
            case .prefer, .require:
                client.certificateVerification = .none
                let context = try NIOSSLContext(configuration: client)
                tls = address.tls == .prefer ? .prefer(context) : .require(context)
            case .verifyFull:
                client.certificateVerification = .fullVerification
                tls = .require(try NIOSSLContext(configuration: client))
            }
        } catch {
            throw PkgtrailError(.invalidInput, "the TLS settings for \(address) cannot be used: \(error)")
        }
        let configuration = PostgresConnection.Configuration(
            host: address.host, port: address.port, username: address.user, password: password,
            database: address.database, tls: tls)
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            connection = try PostgresConnection.connect(
                on: group.next(), configuration: configuration, id: 1, logger: logger
            ).wait()
        } catch let e as PSQLError where e.code == .authMechanismRequiresPassword && password == nil {
            try? group.syncShutdownGracefully()
            throw PkgtrailError(
                .unreadable,
                "cannot connect to \(address): the server asks for a password and none is in the password file "
                    + "(~/.pgpass or PGPASSFILE): add `host:port:database:user:password` there, mode 0600")
        } catch {
            try? group.syncShutdownGracefully()
            throw PkgtrailError(.unreadable, "cannot connect to \(address): \(Self.describe(error))")
        }
    }

    deinit { close() }

    private var closed = false

    public func close() {
        guard !closed else { return }
        closed = true
        // A connection whose server died may never finish closing (a known
        // trait of PostgreSQL drivers): wait a moment, not forever.
        _ = try? bounded(connection.close(), seconds: 3, what: "while closing it")
        try? group.syncShutdownGracefully()
    }

    /// How long one statement may take before the connection is given up
    /// on (a server that died mid-answer, a network that dropped it).
    public static let statementTimeout: Int64 = 120

    /// Waits for `future`, at most `seconds`, and no longer than the
    /// connection lives: postgres-nio can leave a query unanswered forever
    /// when the server dies at the wrong moment (seen here under load).
    func bounded<T>(_ future: EventLoopFuture<T>, seconds: Int64, what: String) throws -> T {
        let promise = future.eventLoop.makePromise(of: T.self)
        future.cascade(to: promise)
        connection.closeFuture.whenComplete { _ in
            promise.fail(PkgtrailError(.unwritable, "the connection to \(self.address) was closed \(what)"))
        }
        let timer = future.eventLoop.scheduleTask(in: .seconds(seconds)) {
            promise.fail(PkgtrailError(.unwritable, "no answer from \(self.address) within \(seconds) s"))
        }
        defer { timer.cancel() }
        return try promise.futureResult.wait()
    }

    /// Runs one statement; its rows. Values interpolated into the literal
    /// are sent as parameters, never spliced into the SQL.
    @discardableResult
    public func run(_ query: PostgresQuery) throws -> [PostgresRow] {
        do {
            let answer = connection.query(query, logger: logger)
            return Array(try bounded(answer, seconds: Self.statementTimeout, what: "before it answered").rows)
        } catch let e as PkgtrailError {
            throw PkgtrailError(e.kind, e.description + ": run the command again once it is back")
        } catch let e as PSQLError where e.serverInfo == nil {
            throw PkgtrailError(
                .unwritable, "the connection to \(address) failed (\(e.code)): run the command again once it is back")
        } catch {
            throw PkgtrailError(.unwritable, "the central store refused a statement: \(Self.describe(error))")
        }
    }

    /// `body` inside BEGIN … COMMIT; anything thrown rolls back.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try run("BEGIN")
        do {
            let result = try body()
            try run("COMMIT")
            return result
        } catch {
            _ = try? run("ROLLBACK")
            throw error
        }
    }

    /// The server's own words (PSQLError's description hides them behind a generic text).
    static func describe(_ error: Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] { return message }
            if let tls = e.underlying, tls is NIOSSLError || tls is NIOSSLExtraError {
                return "the server's TLS certificate is not accepted (\(tls)): check sslrootcert, and that the "
                    + "certificate names the host in the URL"
            }
            if let under = e.underlying { return "\(e.code) (\(under))" }
            return "\(e.code)"
        }
        return "\(error)"
    }
}
