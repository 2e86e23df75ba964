/// The SQL of `migrations/*.sql`, compiled into the binary so an installed `pulp-backfill`
/// works from any directory. `all` is defined in the generated `EmbeddedMigrations.swift`.
public enum EmbeddedMigrations {}
