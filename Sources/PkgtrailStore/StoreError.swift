import PkgtrailCore

/// Storage failures are pkgtrail's one error type, under the name the store
/// has always used for them.
public typealias StoreError = PkgtrailError
