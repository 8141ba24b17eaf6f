# lepton_embed_files(OUT_CC SYMBOL HEADER BASE_DIR FILES...): generates a .cc that includes HEADER
# and defines   std::span<const lepton::EmbeddedFile> lepton::SYMBOL();
# holding each file's path (relative to BASE_DIR) and bytes, so the binary carries the default spec.
function(lepton_embed_files out_cc symbol header base_dir)
  set(files ${ARGN})
  set(script "${PROJECT_SOURCE_DIR}/cmake/LeptonEmbedScript.cmake")
  add_custom_command(
    OUTPUT ${out_cc}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out_cc} -DSYMBOL=${symbol} -DHEADER=${header} -DBASE_DIR=${base_dir}
            "-DFILES=${files}" -P ${script}
    DEPENDS ${files} ${script}
    COMMENT "Embedding ${symbol}"
    VERBATIM)
endfunction()
