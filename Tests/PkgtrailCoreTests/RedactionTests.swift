import XCTest

@testable import PkgtrailCore

final class RedactionTests: XCTestCase {
    func testRedactsURLCredentialsButKeepsTheHost() {
        XCTAssertEqual(
            Redaction.redactURLs("https://user:s3cret@pypi.example.com/simple/"), "https://***@pypi.example.com/simple/"
        )
        XCTAssertEqual(
            Redaction.redactURLs("https://tok@h/x?token=abc&a=1#sha256=ff"), "https://***@h/x?token=***&a=***#sha256=ff"
        )
        XCTAssertEqual(
            Redaction.redactURLs("pkg @ git+https://u:p@github.com/o/r.git@v1"),
            "pkg @ git+https://***@github.com/o/r.git@v1")
        XCTAssertEqual(Redaction.redactURLs("http://127.0.0.1:8080/simple/"), "http://127.0.0.1:8080/simple/")
    }

    func testRedactsSecretOptionsAndTokens() {
        let argv = [
            "pip", "install", "--password", "hunter2", "--api-token=abc", "-i", "https://a:b@h/s", "--author", "x",
            "ghp_0123456789abcdefghijABCDEFGHIJ", "task-runner-plugin-for-everyone"
        ]
        XCTAssertEqual(
            Redaction.redactArgv(argv),
            [
                "pip", "install", "--password", "***", "--api-token=***", "-i", "https://***@h/s", "--author", "x",
                "***", "task-runner-plugin-for-everyone"
            ])
        XCTAssertEqual(
            Redaction.redactArgv([
                "pip", "install", "-C", "token=abc", "--config-settings=auth_key=x,y=1",
                "OPENAI_API_KEY=sk", "pkg==1.0", "--author=me", "a=b;PASSWORD=p q"
            ]),
            [
                "pip", "install", "-C", "token=***", "--config-settings=auth_key=***,y=1",
                "OPENAI_API_KEY=***", "pkg==1.0", "--author=me", "a=b;PASSWORD=*** q"
            ])
    }
}
