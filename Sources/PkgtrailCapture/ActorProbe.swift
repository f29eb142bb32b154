import PkgtrailCore
import PkgtrailSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Who is running the command: the effective user, the real user behind
/// sudo, the host, and the CI job where one is detected. Reads only
/// allowlisted variables.
public enum ActorProbe {
    static func current(env: ProcessEnvironment) -> EventActor {
        let uid = geteuid()
        var user = env.nonEmpty("USER") ?? "uid-\(uid)"
        if let pw = getpwuid(uid), let name = pw.pointee.pw_name { user = String(cString: name) }
        return EventActor(
            user: user, uid: Int64(uid), sudoUser: env.nonEmpty("SUDO_USER"), host: hostname(), ci: ci(env))
    }

    public static func hostname() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, buf.count - 1)
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func ci(_ env: ProcessEnvironment) -> CIIdentity? {
        if env.nonEmpty("GITHUB_ACTIONS") == "true" {
            return CIIdentity(
                provider: "github-actions", repository: env.nonEmpty("GITHUB_REPOSITORY"),
                runID: env.nonEmpty("GITHUB_RUN_ID"), job: env.nonEmpty("GITHUB_JOB"))
        }
        if env.nonEmpty("GITLAB_CI") != nil {
            return CIIdentity(
                provider: "gitlab-ci", repository: env.nonEmpty("CI_PROJECT_PATH"),
                runID: env.nonEmpty("CI_PIPELINE_ID"), job: env.nonEmpty("CI_JOB_NAME") ?? env.nonEmpty("CI_JOB_ID"))
        }
        if env.nonEmpty("BUILDKITE") != nil {
            return CIIdentity(
                provider: "buildkite", repository: env.nonEmpty("BUILDKITE_REPO").map(Redaction.redactText),
                runID: env.nonEmpty("BUILDKITE_BUILD_ID"), job: env.nonEmpty("BUILDKITE_LABEL"))
        }
        if env.nonEmpty("CIRCLECI") != nil {
            return CIIdentity(
                provider: "circleci", repository: env.nonEmpty("CIRCLE_PROJECT_REPONAME"),
                runID: env.nonEmpty("CIRCLE_WORKFLOW_ID"), job: env.nonEmpty("CIRCLE_JOB"))
        }
        if env.nonEmpty("JENKINS_URL") != nil {
            return CIIdentity(
                provider: "jenkins", repository: nil, runID: env.nonEmpty("BUILD_ID"), job: env.nonEmpty("JOB_NAME"))
        }
        if env.nonEmpty("TF_BUILD") != nil {
            return CIIdentity(
                provider: "azure-pipelines", repository: env.nonEmpty("BUILD_REPOSITORY_NAME"),
                runID: env.nonEmpty("BUILD_BUILDID"), job: env.nonEmpty("SYSTEM_JOBNAME"))
        }
        if let ci = env.nonEmpty("CI"), ["1", "true", "yes"].contains(ci.lowercased()) {
            return CIIdentity(provider: "unknown", repository: nil, runID: nil, job: nil)
        }
        return nil
    }
}
