# hk_server_parts: hall-central's pieces that need no HTTP server: the
# reports and their pages, the public ticket status page's logic, the
# threshold alerts with their webhook (libcurl), the follow-up cases, and the report users'
# scopes and session cookies. A library of their own so unit tests and fuzz
# targets can link them without the server.
add_library(hk_server_parts STATIC
            ${CMAKE_CURRENT_LIST_DIR}/report.c ${CMAKE_CURRENT_LIST_DIR}/report_html.c
            ${CMAKE_CURRENT_LIST_DIR}/ticket_status.c ${CMAKE_CURRENT_LIST_DIR}/alerts.c
            ${CMAKE_CURRENT_LIST_DIR}/central_auth.c ${CMAKE_CURRENT_LIST_DIR}/cases.c
            # submission (issue 8.5): the public status page of a submitted problem
            ${CMAKE_CURRENT_LIST_DIR}/submission_status.c)
target_include_directories(hk_server_parts PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(hk_server_parts PUBLIC hk_core PkgConfig::CURL Threads::Threads)
hk_warnings(hk_server_parts)
