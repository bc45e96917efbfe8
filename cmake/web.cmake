# The web application (web/, issue 7): built by Vite into the build tree,
# installed next to the binary (share/aisafe/web), where `aisafe serve`
# finds it. scripts/setup installs Node.js and the locked npm packages.
find_program(AISAFE_NODE node REQUIRED)
find_program(AISAFE_NPM npm REQUIRED)
set(AISAFE_WEB_SRC ${PROJECT_SOURCE_DIR}/web)
set(AISAFE_WEB_DIST ${PROJECT_BINARY_DIR}/web/dist)
if(NOT EXISTS ${AISAFE_WEB_SRC}/node_modules)
  message(FATAL_ERROR "web/node_modules is missing: run scripts/setup (it runs npm ci in web/)")
endif()
file(GLOB_RECURSE AISAFE_WEB_INPUTS CONFIGURE_DEPENDS
  ${AISAFE_WEB_SRC}/src/* ${AISAFE_WEB_SRC}/public/* ${AISAFE_WEB_SRC}/scripts/*)
list(APPEND AISAFE_WEB_INPUTS ${AISAFE_WEB_SRC}/index.html ${AISAFE_WEB_SRC}/package.json
  ${AISAFE_WEB_SRC}/package-lock.json ${AISAFE_WEB_SRC}/vite.config.ts ${AISAFE_WEB_SRC}/tsconfig.json)
add_custom_command(
  OUTPUT ${AISAFE_WEB_DIST}/index.html
  COMMAND ${AISAFE_NODE} scripts/build.mjs --outDir ${AISAFE_WEB_DIST} --emptyOutDir
  WORKING_DIRECTORY ${AISAFE_WEB_SRC}
  DEPENDS ${AISAFE_WEB_INPUTS}
  COMMENT "Building the web application (type check, Vite, gzip)"
  VERBATIM)
add_custom_target(aisafe_web ALL DEPENDS ${AISAFE_WEB_DIST}/index.html)
install(DIRECTORY ${AISAFE_WEB_DIST}/ DESTINATION share/aisafe/web)
