-- Print HTML: WeasyPrint places a note at the foot of the page only when the note
-- sits in the text flow at its call (`float: footnote`), so each pandoc Note becomes
-- an inline <span class="footnote"> at the call site instead of an endnote.
-- Notes can hold several blocks (paragraphs, verse, lists); a span holds inlines
-- only, so blocks are joined with line breaks.
local function note_span(note)
  local inlines = pandoc.utils.blocks_to_inlines(note.content, {pandoc.LineBreak()})
  return pandoc.Span(inlines, {class = "footnote"})
end

-- A call must never start a line on its own. WeasyPrint may break between a word and
-- the call, so the call is tied (white-space: nowrap) to the last few characters of
-- the word before it; the rest of the word can still hyphenate.
local TIE = 3

function Inlines(inlines)
  local out = pandoc.Inlines{}
  local i = 1
  while i <= #inlines do
    if inlines[i].t == "Note" then
      local group = pandoc.Inlines{}
      local before = out[#out]
      if before and before.t == "Str" then
        out:remove(#out)
        local chars = pandoc.text.len(before.text)
        if chars > TIE then
          out:insert(pandoc.Str(pandoc.text.sub(before.text, 1, chars - TIE)))
          group:insert(pandoc.Str(pandoc.text.sub(before.text, chars - TIE + 1)))
        else
          group:insert(before)
        end
      elseif before and before.t ~= "Space" and before.t ~= "SoftBreak" and before.t ~= "LineBreak" then
        group:insert(out:remove(#out))
      end
      while i <= #inlines and inlines[i].t == "Note" do
        group:insert(note_span(inlines[i]))
        i = i + 1
      end
      out:insert(pandoc.Span(group, {class = "note-anchor"}))
    else
      out:insert(inlines[i])
      i = i + 1
    end
  end
  return out
end
