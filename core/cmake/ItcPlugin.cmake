# itc_add_plugin(<target>
#   SOURCES <file>...                  plugin sources (one of them uses ITC_PLUGIN(...))
#   [CONFIG_PROTO <file.proto>]        the plugin's config (and state) messages
#   [LINK <lib>...])                   extra libraries
#
# Builds a plugin as a shared module the host can load and unload at run time:
# hidden visibility and -fno-gnu-unique (so glibc really unmaps it on unload), linked
# against the SDK. A CONFIG_PROTO must say `option optimize_for = LITE_RUNTIME;`: lite
# messages register nothing process-wide, so two versions of a plugin can be loaded side
# by side during a hot swap. Its descriptor set (with the proto's comments) is embedded in
# the plugin, which lets the host parse and validate the plugin's YAML section into that
# message, and Studio build a form for it with the comments as help. The proto may import
# "itc/v1/options.proto" for its field options (value ranges: `[(itc.v1.range) = {min: 1,
# max: 100}]`), found in ITC_SCHEMAS_PROTO_DIR (the source tree's schemas/, or the
# installed SDK's share/itc/schemas); the lite code generated from it does not depend on it.
include_guard(GLOBAL)

# (functions see their own file's directory through CMAKE_CURRENT_FUNCTION_LIST_DIR)

function(itc_add_plugin target)
  set(ITC_PLUGIN_CMAKE_DIR ${CMAKE_CURRENT_FUNCTION_LIST_DIR})
  cmake_parse_arguments(P "" "CONFIG_PROTO" "SOURCES;LINK" ${ARGN})
  if(NOT P_SOURCES)
    message(FATAL_ERROR "itc_add_plugin(${target}): SOURCES is required")
  endif()
  add_library(${target} MODULE ${P_SOURCES})
  set(gen ${CMAKE_CURRENT_BINARY_DIR}/${target}_gen)
  file(MAKE_DIRECTORY ${gen})

  set(embed_cpp ${gen}/config_descriptor.cpp)
  if(P_CONFIG_PROTO)
    get_filename_component(proto_abs ${P_CONFIG_PROTO} ABSOLUTE)
    get_filename_component(proto_dir ${proto_abs} DIRECTORY)
    get_filename_component(proto_we ${proto_abs} NAME_WE)
    file(READ ${proto_abs} proto_text)
    if(NOT proto_text MATCHES "optimize_for[ \t]*=[ \t]*LITE_RUNTIME")
      message(FATAL_ERROR "${P_CONFIG_PROTO}: a plugin's config proto must declare "
        "'option optimize_for = LITE_RUNTIME;' (full-runtime messages register globally "
        "and break hot swap)")
    endif()
    set(desc ${gen}/${proto_we}.desc)
    add_custom_command(
      OUTPUT ${gen}/${proto_we}.pb.cc ${gen}/${proto_we}.pb.h ${desc}
      COMMAND protobuf::protoc --cpp_out=${gen} --descriptor_set_out=${desc}
              --include_imports --include_source_info -I ${proto_dir}
              -I ${ITC_SCHEMAS_PROTO_DIR} ${proto_abs}
      DEPENDS ${proto_abs} ${ITC_SCHEMAS_PROTO_DIR}/itc/v1/options.proto
      COMMENT "protoc (lite) ${P_CONFIG_PROTO}")
    add_custom_command(
      OUTPUT ${embed_cpp}
      COMMAND ${CMAKE_COMMAND} -DIN=${desc} -DOUT=${embed_cpp}
              -P ${ITC_PLUGIN_CMAKE_DIR}/ItcEmbedDescriptor.cmake
      DEPENDS ${desc} ${ITC_PLUGIN_CMAKE_DIR}/ItcEmbedDescriptor.cmake
      COMMENT "embedding config descriptor of ${target}")
    target_sources(${target} PRIVATE ${gen}/${proto_we}.pb.cc)
    set_source_files_properties(${gen}/${proto_we}.pb.cc PROPERTIES COMPILE_OPTIONS "-w")
  else()
    add_custom_command(
      OUTPUT ${embed_cpp}
      COMMAND ${CMAKE_COMMAND} -DOUT=${embed_cpp}
              -P ${ITC_PLUGIN_CMAKE_DIR}/ItcEmbedDescriptor.cmake
      DEPENDS ${ITC_PLUGIN_CMAKE_DIR}/ItcEmbedDescriptor.cmake)
  endif()
  target_sources(${target} PRIVATE ${embed_cpp})
  target_include_directories(${target} PRIVATE ${gen})
  target_link_libraries(${target} PRIVATE ItcSdk::sdk ${P_LINK})
  target_compile_options(${target} PRIVATE -fno-gnu-unique)
  set_target_properties(${target} PROPERTIES
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    CXX_STANDARD 20
    CXX_STANDARD_REQUIRED ON)
  if(DEFINED ITC_PLUGIN_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ITC_PLUGIN_OUTPUT_DIR})
  endif()
endfunction()
