# Links the static archives Debian's -dev packages ship for the third-party libraries, instead of
# their shared libraries (SLUICE_STATIC_DEPS, on by default). Why: every persistent query runs in a
# `sluice worker` process of its own, started per query, per parallel worker and per restart, and
# with two dozen shared libraries the dynamic loader's work (opening and mapping each one, then
# binding thousands of symbols with a lookup through all of them) was a quarter of a stateless
# worker's start-up CPU. glibc, libstdc++ and libgcc stay shared, and so do libsasl2 (below) and the
# libraries Debian ships without an archive (fmt, simdjson).
#
# Include after find_package/pkg_check_modules of the libraries: it rewrites what their imported
# targets link, so modules keep naming PkgConfig::RDKAFKA, RocksDB::rocksdb and so on.

# sluice_static_archives(OUT names...): each library name of a link line (`z` for -lz) as the path
# of its archive when there is one; glibc's own libraries, and any library without an archive, as
# the name (linked shared).
function(sluice_static_archives out)
  set(result)
  foreach(name IN LISTS ARGN)
    # glibc's libraries are linked shared: a static libm or libpthread next to the shared libc
    # is not a supported combination. libsasl2.a (librdkafka's SASL) holds its mechanism plugins,
    # which would pull in LDAP and Kerberos.
    if(name MATCHES "^(c|m|dl|pthread|rt|resolv|util|sasl2)$")
      list(APPEND result ${name})
      continue()
    endif()
    # Debian's libtermcap is a linker script naming libtinfo.
    set(archive_name ${name})
    if(name STREQUAL "termcap")
      set(archive_name tinfo)
    endif()
    string(MAKE_C_IDENTIFIER "SLUICE_ARCHIVE_${archive_name}" archive_var)
    find_library(${archive_var} NAMES lib${archive_name}.a)
    if(${archive_var})
      list(APPEND result ${${archive_var}})
    else()
      list(APPEND result ${name})
    endif()
  endforeach()
  set(${out} ${result} PARENT_SCOPE)
endfunction()

# sluice_link_pkg_statically(PREFIX): PkgConfig::PREFIX links pkg-config's static link line
# (the library's own dependencies included) with archives where there are.
function(sluice_link_pkg_statically prefix)
  sluice_static_archives(libraries ${${prefix}_STATIC_LIBRARIES})
  set_property(TARGET PkgConfig::${prefix} PROPERTY INTERFACE_LINK_LIBRARIES ${libraries})
  set_property(TARGET PkgConfig::${prefix} PROPERTY INTERFACE_LINK_OPTIONS
               ${${prefix}_STATIC_LDFLAGS_OTHER})
endfunction()

if(SLUICE_STATIC_DEPS)
  foreach(prefix SQLITE3 RDKAFKA RE2 LIBEDIT SECCOMP)
    sluice_link_pkg_statically(${prefix})
  endforeach()
  # librocksdb.a is what RocksDB::rocksdb links already; its imported target names the compression
  # libraries it was built with as shared libraries (and gflags, which only RocksDB's tools use).
  sluice_static_archives(rocksdb_dependencies snappy z bz2 lz4 zstd)
  set_property(TARGET RocksDB::rocksdb PROPERTY INTERFACE_LINK_LIBRARIES ${rocksdb_dependencies}
                                                Threads::Threads)
endif()
