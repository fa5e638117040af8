# itc_package_plugin(<plugin target>)
# After the plugin builds, packs it and signs it with the build's vendor key into
# ${ITC_PACKAGE_DIR}/<plugin name>.itcpkg (what the demo and the tests load).
include_guard(GLOBAL)

function(itc_package_plugin target name)
  set(pkg ${ITC_PACKAGE_DIR}/${name}.itcpkg)
  add_custom_command(OUTPUT ${pkg}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${ITC_PACKAGE_DIR}
    COMMAND $<TARGET_FILE:itc> plugin pack $<TARGET_FILE:${target}> --out ${pkg}.unsigned
            --vendor "IoT Chain build"
    COMMAND $<TARGET_FILE:itc> plugin sign ${pkg}.unsigned --key ${ITC_BUILD_VENDOR_KEY}
            --out ${pkg}
    COMMAND ${CMAKE_COMMAND} -E remove ${pkg}.unsigned
    DEPENDS ${target} itc ${ITC_BUILD_VENDOR_KEY}
    COMMENT "packing and signing ${name}")
  add_custom_target(${target}_package ALL DEPENDS ${pkg})
endfunction()
