# hk_report: hall-central's report computation (report.c) and its HTML pages
# (report_html.c): pure C over events already read from the store, so the
# server's request handlers and the unit tests share one implementation.
# Included from the top-level CMakeLists.txt (or server/CMakeLists.txt) with
#   include(${CMAKE_SOURCE_DIR}/server/report.cmake)
# after hk_core is defined. Paths are absolute so either place works.
add_library(hk_report STATIC ${CMAKE_SOURCE_DIR}/server/report.c
            ${CMAKE_SOURCE_DIR}/server/report_html.c)
target_include_directories(hk_report PUBLIC ${CMAKE_SOURCE_DIR}/server)
target_link_libraries(hk_report PUBLIC hk_core)
hk_warnings(hk_report)
